import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb } from '../../database/tenant-db.service';
import { asTenantId } from '../../database/tenant-id';
import { TenantEntity } from '../../tenancy/tenant.entity';
import { unsubscribeKeys, UnsubscribeSubject, verifyUnsubscribeToken } from '../domain/unsubscribe-token';
import { ConsentService } from './consent.service';
import { personExists } from '../../people/people-directory';

export interface UnsubscribeTarget {
  subject: UnsubscribeSubject;
  firmName: string;
  /** Whether the person is opted out of the token's channel now. */
  optedOut: boolean;
}

/** The one-click unsubscribe link: a signed token, no login. */
@Injectable()
export class UnsubscribeService {
  /** The current key's and the old keys' (a link in an email sent before a rotation still works). */
  private readonly keys: Buffer[];

  constructor(
    private readonly db: TenantDb,
    private readonly consent: ConsentService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = unsubscribeKeys(config.encryptionKeyring);
  }

  /** What a token names, when it is valid and the person still exists. Changes nothing. */
  async inspect(token: string): Promise<UnsubscribeTarget | undefined> {
    const subject = verifyUnsubscribeToken(this.keys, token);
    if (!subject) return undefined;
    return this.db.tx(asTenantId(subject.tenantId), async (tx) => {
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } });
      if (!tenant) return undefined;
      if (!(await personExists(tx, subject.person))) return undefined;
      return { subject, firmName: tenant.name, optedOut: await this.consent.isOptedOutIn(tx, subject.person, subject.channel) };
    });
  }

  /** Opts the person out of the token's channel (source `link`). Idempotent. */
  unsubscribe(token: string): Promise<UnsubscribeTarget | undefined> {
    return this.set(token, 'opted_out');
  }

  /**
   * The person's own undo, from the link's page: opts them back in (source `link`). The link is
   * theirs alone, so this is the person acting, the one way an opt-out they made through the link
   * is undone (an API call gets a 409). Idempotent.
   */
  resubscribe(token: string): Promise<UnsubscribeTarget | undefined> {
    return this.set(token, 'opted_in');
  }

  private async set(token: string, status: 'opted_in' | 'opted_out'): Promise<UnsubscribeTarget | undefined> {
    const target = await this.inspect(token);
    if (!target) return undefined;
    return this.db.tx(asTenantId(target.subject.tenantId), async (tx) => {
      const { person, channel } = target.subject;
      if (status === 'opted_in') {
        // A STOP is undone by START, the carriers' rule; the link undoes the rest.
        const current = await this.consent.currentRow(tx, person, channel, true);
        if (current?.status === 'opted_out' && (current.source === 'keyword' || current.source === 'provider_error')) return { ...target, optedOut: true };
      }
      await this.consent.change(tx, person, { channel, status, source: 'link', actor: { kind: 'system' } });
      return { ...target, optedOut: status === 'opted_out' };
    });
  }
}
