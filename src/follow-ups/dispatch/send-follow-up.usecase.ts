import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { SendOutcome } from '../../messaging/drivers/driver.types';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger, OutboundRequest, PreparedSend } from '../../messaging/outbound.types';
import { draftFollowUp } from '../compose/draft';
import { FollowUpComposer } from '../compose/follow-up.composer';
import type { Channel } from '../domain/channel';
import { isWithinWindow, nextWindowOpening, resolveZone } from '../domain/windows';
import { FollowUpEntity, ONE_OFF } from '../follow-up.entity';
import { AttemptRecorder } from './attempt-recorder';
import type { ExecutionOutcome, Finish } from './attempt-recorder';
import { SmsPacer } from './sms-pacer';

interface Send {
  row: FollowUpEntity;
  channel: Channel;
  request: OutboundRequest;
}

interface Prepared {
  /** Outcomes decided in unit 1, by follow-up id. */
  done: Map<string, ExecutionOutcome>;
  /** Claimed ahead of their sender slot: sent at the slot by a continuation. */
  paced: { id: string; at: Date }[];
  sends: { row: FollowUpEntity; channel: Channel; send: PreparedSend }[];
}

/**
 * "Send claimed follow-ups": the dispatcher's use case, for a group of one tenant's claimed rows
 * (a paced SMS's continuation is a group of one). Set-based: the statements do not grow with the
 * group, but for SMS (one sender slot and one daily-cap count per text, at most the sender's rate).
 *
 *   unit 1 (one transaction): the claimed rows, still ours; FollowUpComposer (the current data,
 *     a fixed number of reads) and draftFollowUp per row (the same code a preview runs: channel,
 *     text); the sending window; SMS pacing (SmsPacer); what ends here (cancelled, skipped, a
 *     task, deferred) in one UPDATE; the crash markers (send_started_at) in one UPDATE; the
 *     messages rows in one INSERT (OutboundMessenger.prepare). COMMIT.
 *   the drivers, outside any transaction, DISPATCH_CONCURRENCY at a time.
 *   unit 2: the answers on the messages (OutboundMessenger.complete) and on the follow-ups
 *     (AttemptRecorder.record), whose events' reactions plan what follows (a nudge, a referral
 *     update, a check-in), all of the group together. COMMIT.
 */
@Injectable()
export class SendFollowUpUseCase {
  private readonly logger = new Logger(SendFollowUpUseCase.name);
  private readonly slots: Semaphore;

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly composer: FollowUpComposer,
    private readonly pacer: SmsPacer,
    private readonly recorder: AttemptRecorder,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.slots = new Semaphore(config.dispatch.concurrency);
  }

  /** Answers one outcome per id. */
  execute(tenantId: TenantId, ids: readonly string[], worker: string): Promise<ExecutionOutcome[]> {
    return this.run(tenantId, ids, worker, false);
  }

  /** `resumed`: a paced row's continuation, woken at its slot (which it keeps, however late the wake-up). */
  private async run(tenantId: TenantId, ids: readonly string[], worker: string, resumed: boolean): Promise<ExecutionOutcome[]> {
    const prepared = await this.db.unit(tenantId, () => this.prepare(tenantId, ids, worker, resumed));
    for (const { id, at } of prepared.paced) {
      // Its slot is committed on the row; the lane is free at once, the send waits outside it.
      this.pacer.continueAt(at, id, async () => (await this.run(tenantId, [id], worker, true))[0] ?? 'error');
      prepared.done.set(id, 'paced');
    }
    if (prepared.sends.length > 0) {
      const delivered = await this.deliverAll(prepared.sends.map((s) => s.send));
      const outcomes = await this.db.unit(tenantId, async () => {
        const results = await this.messenger.complete(prepared.sends.map((s, i) => ({ send: s.send, outcome: delivered[i] })));
        return this.recorder.record(
          tenantId,
          prepared.sends.map((s, i) => ({ row: s.row, channel: s.channel, result: results[i]! })),
        );
      });
      prepared.sends.forEach((s, i) => prepared.done.set(s.row.id, outcomes[i]!));
    }
    return ids.map((id) => prepared.done.get(id) ?? 'lost_lease');
  }

  /** The driver calls, outside any transaction: at most DISPATCH_CONCURRENCY at a time in this process, whatever the groups. */
  private async deliverAll(sends: readonly PreparedSend[]): Promise<(SendOutcome | undefined)[]> {
    return Promise.all(
      sends.map(async (send) => {
        await this.slots.acquire();
        try {
          return await this.messenger.deliver(send);
        } catch (err) {
          // The send started and we cannot tell whether it reached the provider: never resend blindly.
          this.logger.error({ err }, 'messenger failed after the send started');
          return { kind: 'unknown' as const, reason: 'the send failed unexpectedly after it started' };
        } finally {
          this.slots.release();
        }
      }),
    );
  }

  private async prepare(tenantId: TenantId, ids: readonly string[], worker: string, resumed: boolean): Promise<Prepared> {
    const done = new Map<string, ExecutionOutcome>();
    const paced: Prepared['paced'] = [];
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.manager
        .getRepository(FollowUpEntity)
        .createQueryBuilder('f')
        .where('f.tenant_id = :tenantId', { tenantId })
        .andWhere('f.id = ANY(:ids)', { ids: [...ids] })
        .andWhere(`f.status = 'sending' AND f.claimed_by = :worker`, { worker })
        .getMany(),
    );
    if (rows.length === 0) return { done, paced, sends: [] };
    const group = await this.composer.compose(tenantId, rows);
    const now = this.clock.now();
    const finishes: { row: FollowUpEntity; change: Finish }[] = [];
    const sends: Send[] = [];
    for (const row of rows) {
      const end = (change: Finish): void => void finishes.push({ row, change });
      const composition = group.items.get(row.id)!;
      const draft = draftFollowUp(row, composition, group.settings, group.outbound, this.messenger);
      if (draft.kind === 'cancel') end({ status: 'cancelled', outcome: 'cancelled', reason: draft.reason });
      else if (draft.kind === 'skip') end({ status: 'skipped', outcome: 'skipped', reason: draft.reason });
      else if (draft.kind === 'fail') end({ status: 'failed', outcome: 'failed', reason: draft.reason });
      else if (draft.kind === 'task') end({ status: 'planned', kind: 'task', channel: 'phone', outcome: 'task', reason: draft.reason });
      else if (composition.kind === 'compose') {
        const { channel } = draft;
        const zone = resolveZone(composition.recipient.timeZone, group.tenantZone);
        if (!isWithinWindow(now, channel, zone, group.settings.windows)) {
          end({ status: 'planned', outcome: 'deferred', dueAt: nextWindowOpening(now, channel, zone, group.settings.windows), reason: `waiting for the ${channel} sending window` });
          continue;
        }
        if (channel === 'sms') {
          // Texts go at most at their sender's rate: one slot, and one daily-cap count, each.
          const clearance = await this.pacer.clear(tenantId, row, worker, { key: group.outbound.smsSenderKey, platform: group.outbound.senders.smsSender === 'platform' }, group.settings, group.tenantZone, resumed);
          if (clearance.kind === 'lost_lease') {
            done.set(row.id, 'lost_lease');
            continue;
          }
          if (clearance.kind === 'paced') {
            paced.push({ id: row.id, at: clearance.at });
            continue;
          }
          if (clearance.kind === 'defer') {
            end(clearance.finish);
            continue;
          }
        }
        const oneOff = row.rule === ONE_OFF;
        // A one-off message goes on behalf of the recruiter who wrote it.
        if (oneOff && row.ownerUserId && composition.signer?.userId !== row.ownerUserId) {
          end({ status: 'failed', outcome: 'failed', reason: 'its author is no longer a user of this firm' });
          continue;
        }
        sends.push({
          row,
          channel,
          request: {
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
        });
      }
    }
    const ended = await this.recorder.finish(tenantId, worker, finishes);
    finishes.forEach((f, i) => done.set(f.row.id, ended[i]!));

    // The crash markers: from here on, a lost dispatcher leaves these rows `unknown`, not
    // `planned`. Guarded on send_started_at too: of two executions of one claim (a paced row's
    // continuation and a re-claim by this same worker after its lease was recovered), one starts.
    //   UPDATE follow_ups SET send_started_at = $now, channel = v.channel, rate_slot_at = NULL
    //   FROM unnest(…) v WHERE … AND status = 'sending' AND claimed_by = $worker AND send_started_at IS NULL RETURNING id
    const started = new Set(
      sends.length === 0
        ? []
        : (
            await this.db.tx(tenantId, (tx) =>
              tx.query<{ id: string }>(
                `WITH u AS (
                   UPDATE follow_ups f SET send_started_at = $3, channel = v.channel, rate_slot_at = NULL, updated_at = $3
                   FROM unnest($4::uuid[], $5::text[]) AS v(id, channel)
                   WHERE f.tenant_id = $1 AND f.id = v.id AND f.status = 'sending' AND f.claimed_by = $2 AND f.send_started_at IS NULL
                   RETURNING f.id)
                 SELECT id FROM u`,
                [tenantId, worker, now, sends.map((s) => s.row.id), sends.map((s) => s.channel)],
              ),
            )
          ).map((r) => r.id),
    );
    for (const s of sends) if (!started.has(s.row.id)) done.set(s.row.id, 'lost_lease');
    const going = sends.filter((s) => started.has(s.row.id));
    const prepared = await this.messenger.prepare(
      going.map((s) => s.request),
      group.outbound,
    );
    return { done, paced, sends: going.map((s, i) => ({ row: s.row, channel: s.channel, send: prepared[i]! })) };
  }
}

/** At most `size` holders at a time; the others wait in order. */
class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  acquire(): Promise<void> {
    if (this.held < this.size) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held -= 1;
  }
}
