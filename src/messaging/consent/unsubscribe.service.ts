import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb } from '../../database/tenant-db.service';
import { asTenantId } from '../../database/tenant-id';
import { TenantEntity } from '../../tenancy/tenant.entity';
import { unsubscribeKey, UnsubscribeSubject, verifyUnsubscribeToken } from '../domain/unsubscribe-token';
import { ConsentService } from './consent.service';
import { personExists } from '../../people/people-directory';

export interface UnsubscribeTarget {
  subject: UnsubscribeSubject;
  firmName: string;
}

/** The one-click unsubscribe link: a signed token, no login. */
@Injectable()
export class UnsubscribeService {
  private readonly key: Buffer;

  constructor(
    private readonly db: TenantDb,
    private readonly consent: ConsentService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = unsubscribeKey(config.encryptionKey);
  }

  /** What a token names, when it is valid and the person still exists. Changes nothing. */
  async inspect(token: string): Promise<UnsubscribeTarget | undefined> {
    const subject = verifyUnsubscribeToken(this.key, token);
    if (!subject) return undefined;
    return this.db.tx(asTenantId(subject.tenantId), async (tx) => {
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tx.tenantId } });
      if (!tenant) return undefined;
      return (await personExists(tx, subject.person)) ? { subject, firmName: tenant.name } : undefined;
    });
  }

  /** Opts the person out of the token's channel (source `link`). Idempotent. */
  async unsubscribe(token: string): Promise<UnsubscribeTarget | undefined> {
    const target = await this.inspect(token);
    if (!target) return undefined;
    await this.db.tx(asTenantId(target.subject.tenantId), (tx) =>
      this.consent.change(tx, target.subject.person, {
        channel: target.subject.channel,
        status: 'opted_out',
        source: 'link',
        actor: { kind: 'system' },
      }),
    );
    return target;
  }
}
