import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { parseMailbox } from '../domain/email-address';
import { EMAIL_DRIVER } from '../drivers/driver.types';
import type { EmailDriver } from '../drivers/driver.types';

export const ACCOUNT_MAIL_HEADER = 'X-Touchpoint-Mail';

/**
 * Mail about a person's own Touchpoint account (not a message to a candidate or contact): it
 * goes from the platform's address through the same EMAIL_DRIVER as everything else, and is not
 * recorded as a message. A failed send is logged, never thrown: the request that asked for it
 * answers the same either way.
 */
@Injectable()
export class AccountMailer {
  private readonly logger = new Logger(AccountMailer.name);

  constructor(
    @Inject(EMAIL_DRIVER) private readonly email: EmailDriver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The signup's verification link. */
  async sendVerification(input: { to: string; name: string; firmName: string; token: string; expiresAt: Date }): Promise<void> {
    const link = `${this.config.publicUrl}/v1/auth/verify-email/${input.token}`;
    await this.send(
      input.to,
      input.name,
      'Confirm your email address for Touchpoint',
      [
        `Hello ${input.name},`,
        '',
        `This address was used to create the firm "${input.firmName}" on Touchpoint. If that was you, confirm it here:`,
        '',
        link,
        '',
        `The link works until ${input.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
        'If it was not you, ignore this email: nothing happens without the confirmation.',
      ].join('\n'),
    );
  }

  private async send(to: string, toName: string, subject: string, text: string): Promise<void> {
    const from = parseMailbox(this.config.emailFrom);
    try {
      const outcome = await this.email.send({
        messageId: randomUUID(),
        to,
        toName,
        from: from?.address ?? 'no-reply@touchpoint.local',
        fromName: from?.name ?? 'Touchpoint',
        subject,
        text,
        // Mail about the account, not a message to a person: marked so (RFC 3834), and kept apart by test servers.
        headers: { 'Auto-Submitted': 'auto-generated', [ACCOUNT_MAIL_HEADER]: 'account' },
      });
      if (outcome.kind !== 'sent') this.logger.warn({ outcome: outcome.kind, reason: outcome.reason }, 'account email not sent');
    } catch (err) {
      this.logger.error({ err }, 'account email failed');
    }
  }
}
