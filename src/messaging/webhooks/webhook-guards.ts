import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/app.exception';
import { constantTimeEqual, sha256Hex } from '../../common/crypto';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { isValidTwilioSignature, TwilioParams, TwilioParamValue } from '../domain/twilio-signature';
import { SendersService, TwilioCredentials, WebhookTenant } from '../senders/senders.service';

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
 *   no X-Twilio-Signature → 400; unknown tenant key → 404; no auth token to check with, an
 *   AccountSid that is not an account this request may come from, or a signature that does not
 *   match → 403. The signed URL is PUBLIC_URL + the path and query as received, so a proxy
 *   terminating https in front of an http listener still verifies.
 * The signature is verified with the token of the account the request claims (`AccountSid`),
 * and only these accounts may be claimed:
 *   - the firm's own account, when it connected one;
 *   - the platform's account: for a firm without its own (it sends through the platform's), and,
 *     for a status callback, for a message that was sent through the platform's account (its
 *     `provider_account`, recorded when it was prepared): a firm that connected its own account
 *     no longer accepts the platform's signature for anything else.
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
    if (!tenant.ownTwilio && !tenant.platformTwilio) {
      throw new AppException(ErrorCode.Forbidden, 'SMS is not configured for this firm: no Twilio auth token to verify the signature with');
    }
    const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as TwilioParams) : {};
    const account = await this.claimedAccount(req, tenant, body);
    const url = `${this.config.publicUrl}${req.url}`;
    if (!isValidTwilioSignature(account.authToken, signature, url, body)) {
      throw new AppException(ErrorCode.Forbidden, 'Invalid X-Twilio-Signature');
    }
    if (!tenant.active) throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    req.webhookTenant = tenant;
    return true;
  }

  /** The account named by AccountSid, if this request may come from it (see above); else a 403. */
  private async claimedAccount(req: WebhookRequest, tenant: WebhookTenant, body: TwilioParams): Promise<TwilioCredentials> {
    const claimed = first(body.AccountSid);
    if (!claimed) throw new AppException(ErrorCode.Forbidden, 'AccountSid is missing: a Twilio request names the account it comes from');
    const { ownTwilio: own, platformTwilio: platform } = tenant;
    if (own && claimed === own.accountSid) return own;
    if (platform && claimed === platform.accountSid) {
      if (!own) return platform;
      if (req.routeOptions?.url?.endsWith('/status')) {
        const query = (req.query ?? {}) as Record<string, unknown>;
        const sid = first(body.MessageSid) ?? first(body.SmsSid);
        const sentThrough = await this.senders.outboundAccount(tenant.tenantId, sid, typeof query.messageId === 'string' ? query.messageId : undefined);
        if (sentThrough === platform.accountSid) return platform;
        throw new AppException(ErrorCode.Forbidden, `AccountSid ${claimed} is the platform's account, and this firm sends through its own: this message was not sent through the platform's account`);
      }
      throw new AppException(ErrorCode.Forbidden, `AccountSid ${claimed} is the platform's account, and this firm receives through its own Twilio account`);
    }
    throw new AppException(ErrorCode.Forbidden, `AccountSid ${claimed.slice(0, 40)} is not a Twilio account of this firm`);
  }
}

function first(value: TwilioParamValue): string | undefined {
  const v: unknown = Array.isArray(value) ? (value as readonly unknown[])[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
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
