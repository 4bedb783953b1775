import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/app.exception';
import { constantTimeEqual, sha256Hex } from '../../common/crypto';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { isValidTwilioSignature, TwilioParams } from '../domain/twilio-signature';
import { SendersService, WebhookTenant } from '../senders/senders.service';

export type WebhookRequest = FastifyRequest & { webhookTenant?: WebhookTenant };

export const INBOUND_EMAIL_SECRET_HEADER = 'x-touchpoint-webhook-secret';

function tenantKeyOf(req: FastifyRequest): string {
  const params = (req.params ?? {}) as Record<string, unknown>;
  return typeof params.tenantKey === 'string' ? params.tenantKey : '';
}

/** The tenant a guard authenticated. Throws when a handler is reached without one (a wiring bug). */
export function webhookTenantOf(req: WebhookRequest): WebhookTenant {
  if (!req.webhookTenant) throw new AppException(ErrorCode.Unauthenticated, 'Webhook not authenticated');
  return req.webhookTenant;
}

/**
 * Twilio webhooks authenticate before anything else (guards run before pipes and handlers):
 *   no X-Twilio-Signature → 400; unknown tenant key → 404; no auth token to check with, or a
 *   signature that does not match → 403. The signed URL is PUBLIC_URL + the path and query as
 *   received, so a proxy terminating https in front of an http listener still verifies.
 * The token is the tenant's own when it has a Twilio account; the platform's is accepted too
 * (callbacks of messages sent before the firm connected its own account).
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(
    private readonly senders: SendersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WebhookRequest>();
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature.trim() === '') {
      throw AppException.validation([{ field: 'X-Twilio-Signature', message: 'header is required' }], 'Missing X-Twilio-Signature header');
    }
    const tenant = await this.senders.webhookTenant(tenantKeyOf(req));
    if (!tenant) throw AppException.notFound('Webhook');
    if (tenant.twilioAuthTokens.length === 0) {
      throw new AppException(ErrorCode.Forbidden, 'SMS is not configured for this firm: no Twilio auth token to verify the signature with');
    }
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as TwilioParams) : {};
    const url = `${this.config.publicUrl}${req.url}`;
    if (!tenant.twilioAuthTokens.some((token) => isValidTwilioSignature(token, signature, url, body))) {
      throw new AppException(ErrorCode.Forbidden, 'Invalid X-Twilio-Signature');
    }
    if (!tenant.active) throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    req.webhookTenant = tenant;
    return true;
  }
}

/**
 * The inbound-email webhook: the per-tenant secret in X-Touchpoint-Webhook-Secret, compared in
 * constant time with the stored SHA-256. Missing → 401; unknown key → 404; wrong or not
 * configured → 403.
 */
@Injectable()
export class InboundEmailSecretGuard implements CanActivate {
  constructor(private readonly senders: SendersService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WebhookRequest>();
    const secret = req.headers[INBOUND_EMAIL_SECRET_HEADER];
    if (typeof secret !== 'string' || secret === '') {
      throw new AppException(ErrorCode.Unauthenticated, 'Missing X-Touchpoint-Webhook-Secret header');
    }
    const tenant = await this.senders.webhookTenant(tenantKeyOf(req));
    if (!tenant) throw AppException.notFound('Webhook');
    if (!tenant.inboundEmailSecretHash || !constantTimeEqual(sha256Hex(secret), tenant.inboundEmailSecretHash)) {
      throw new AppException(ErrorCode.Forbidden, 'Invalid X-Touchpoint-Webhook-Secret');
    }
    if (!tenant.active) throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    req.webhookTenant = tenant;
    return true;
  }
}
