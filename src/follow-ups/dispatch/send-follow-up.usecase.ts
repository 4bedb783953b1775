import { Inject, Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { SendOutcome } from '../../messaging/drivers/driver.types';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger, PreparedSend } from '../../messaging/outbound.types';
import { draftFollowUp } from '../compose/draft';
import { FollowUpComposer } from '../compose/follow-up.composer';
import type { Channel } from '../domain/channel';
import { isWithinWindow, nextWindowOpening, resolveZone } from '../domain/windows';
import { FollowUpEntity, ONE_OFF } from '../follow-up.entity';
import { AttemptRecorder } from './attempt-recorder';
import type { ExecutionOutcome } from './attempt-recorder';
import { SmsPacer } from './sms-pacer';

type Prepared =
  | { kind: 'done'; outcome: ExecutionOutcome }
  | { kind: 'paced'; at: Date }
  | { kind: 'send'; row: FollowUpEntity; channel: Channel; send: PreparedSend };

/**
 * "Send a claimed follow-up": the dispatcher's one use case per row.
 *
 *   unit 1 (one transaction): load the claimed row; compose it from the current data and draft
 *     it (the same code a preview runs: channel, text); the sending window; for SMS the sender's
 *     rate and the daily cap (SmsPacer); the crash marker (send_started_at); the messages row
 *     (OutboundMessenger.prepare). COMMIT.
 *   the driver, outside any transaction.
 *   unit 2: the provider's answer on the message and on the follow-up (AttemptRecorder), whose
 *     events' reactions plan what follows (a nudge, a referral update, a check-in). COMMIT.
 */
@Injectable()
export class SendFollowUpUseCase {
  private readonly logger = new Logger(SendFollowUpUseCase.name);

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly composer: FollowUpComposer,
    private readonly pacer: SmsPacer,
    private readonly recorder: AttemptRecorder,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
  ) {}

  execute(tenantId: TenantId, id: string, worker: string): Promise<ExecutionOutcome> {
    return this.run(tenantId, id, worker, false);
  }

  /** `resumed`: a paced row's continuation, woken at its slot (which it keeps, however late the wake-up). */
  private async run(tenantId: TenantId, id: string, worker: string, resumed: boolean): Promise<ExecutionOutcome> {
    const prepared = await this.db.unit(tenantId, () => this.prepare(tenantId, id, worker, resumed));
    if (prepared.kind === 'done') return prepared.outcome;
    if (prepared.kind === 'paced') {
      // Its slot is committed on the row; the lane is free at once, the send waits outside it.
      this.pacer.continueAt(prepared.at, id, () => this.run(tenantId, id, worker, true));
      return 'paced';
    }
    const { row, channel, send } = prepared;
    let delivered: SendOutcome | undefined;
    try {
      delivered = await this.messenger.deliver(send);
    } catch (err) {
      // The send started and we cannot tell whether it reached the provider: never resend blindly.
      this.logger.error({ err, followUpId: row.id }, 'messenger failed after the send started');
      delivered = { kind: 'unknown', reason: 'the send failed unexpectedly after it started' };
    }
    return this.db.unit(tenantId, async () => this.recorder.record(tenantId, row, channel, await this.messenger.complete(send, delivered)));
  }

  private async prepare(tenantId: TenantId, id: string, worker: string, resumed: boolean): Promise<Prepared> {
    const done = (outcome: ExecutionOutcome): Prepared => ({ kind: 'done', outcome });
    const row = await this.db.tx(tenantId, (tx) => tx.repo(FollowUpEntity).findOne({ id }));
    if (!row || row.status !== 'sending' || row.claimedBy !== worker) return done('lost_lease');
    const finish = async (change: Parameters<AttemptRecorder['finish']>[3]): Promise<Prepared> => done(await this.recorder.finish(tenantId, row, worker, change));

    const group = await this.composer.compose(tenantId, [row]);
    const composition = group.items.get(row.id)!;
    const draft = draftFollowUp(row, composition, group.settings, group.outbound, this.messenger);
    switch (draft.kind) {
      case 'cancel':
        return finish({ status: 'cancelled', outcome: 'cancelled', reason: draft.reason });
      case 'skip':
        return finish({ status: 'skipped', outcome: 'skipped', reason: draft.reason });
      case 'fail':
        return finish({ status: 'failed', outcome: 'failed', reason: draft.reason });
      case 'task':
        return finish({ status: 'planned', kind: 'task', channel: 'phone', outcome: 'task', reason: draft.reason });
      case 'message':
        break;
    }
    if (composition.kind !== 'compose') return done('error');
    const { channel } = draft;
    const now = this.clock.now();
    const zone = resolveZone(composition.recipient.timeZone, group.tenantZone);
    if (!isWithinWindow(now, channel, zone, group.settings.windows)) {
      const at = nextWindowOpening(now, channel, zone, group.settings.windows);
      return finish({ status: 'planned', outcome: 'deferred', dueAt: at, reason: `waiting for the ${channel} sending window` });
    }
    if (channel === 'sms') {
      const clearance = await this.pacer.clear(tenantId, row, worker, group.outbound.smsSenderKey, group.settings, group.tenantZone, resumed);
      if (clearance.kind === 'lost_lease') return done('lost_lease');
      if (clearance.kind === 'paced') return { kind: 'paced', at: clearance.at };
      if (clearance.kind === 'defer') return finish(clearance.finish);
    }
    const oneOff = row.rule === ONE_OFF;
    // A one-off message goes on behalf of the recruiter who wrote it.
    if (oneOff && row.ownerUserId && composition.signer?.userId !== row.ownerUserId) {
      return finish({ status: 'failed', outcome: 'failed', reason: 'its author is no longer a user of this firm' });
    }

    // The crash marker: from here on, a lost dispatcher leaves the row `unknown`, not `planned`.
    // Guarded on send_started_at too: of two executions of one claim (a paced row's continuation
    // and a re-claim by this same worker after its lease was recovered), only one starts the send.
    const started = await this.db.tx(tenantId, (tx) =>
      tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker, sendStartedAt: IsNull() }, { sendStartedAt: now, channel, rateSlotAt: null, updatedAt: now }),
    );
    if (started === 0) return done('lost_lease');
    const send = await this.messenger.prepare(
      {
        tenantId,
        person: composition.recipient.person,
        recipient: { name: composition.recipient.name, address: draft.to },
        channel,
        subject: draft.subject,
        text: draft.text,
        followUpId: row.id,
        ...(oneOff && composition.signer ? { author: { userId: composition.signer.userId, name: composition.signer.name } } : {}),
        // Only automated mail carries List-Unsubscribe.
        automated: !oneOff,
      },
      group.outbound,
    );
    return { kind: 'send', row, channel, send };
  }
}
