import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { SendOutcome } from '../../messaging/drivers/driver.types';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundContext, OutboundMessenger, OutboundRequest, PreparedSend } from '../../messaging/outbound.types';
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
  /** What goes to a driver, in waves. */
  sends: Send[];
  context: OutboundContext | undefined;
}

/**
 * "Send claimed follow-ups": the dispatcher's use case, for a group of one tenant's claimed rows
 * (a paced SMS's continuation is a group of one). Set-based: the statements do not grow with the
 * group, but for SMS (one sender slot and one daily-cap count per text, at most the sender's rate)
 * and for the waves below.
 *
 *   unit 1 (one transaction): the claimed rows, still ours; FollowUpComposer (the current data,
 *     a fixed number of reads) and draftFollowUp per row (the same code a preview runs: channel,
 *     text); the sending window; SMS pacing (SmsPacer); what ends here (cancelled, skipped, a
 *     task, deferred) in one UPDATE. COMMIT.
 *   then the sends, in waves of as many as this process has free send slots (DISPATCH_CONCURRENCY
 *   in all, whatever the groups). A wave:
 *     unit 2: the crash markers (send_started_at) in one UPDATE and the messages rows in one
 *       INSERT (OutboundMessenger.prepare). COMMIT.
 *     the drivers, outside any transaction, concurrently.
 *     unit 3: the answers on the messages (OutboundMessenger.complete) and on the follow-ups
 *       (AttemptRecorder.record), whose events' reactions plan what follows (a nudge, a referral
 *       update, a check-in), the wave together. COMMIT; then the wave's slots are free.
 *   A slot is held from the crash marker to the recorded answer, so a process that dies leaves at
 *   most DISPATCH_CONCURRENCY follow-ups `unknown`: the rows it had not started go back to
 *   `planned` when their lease expires, and no messages row exists for them.
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
    const waiting = [...prepared.sends];
    while (waiting.length > 0 && prepared.context) {
      const held = await this.slots.acquireUpTo(waiting.length);
      const wave = waiting.splice(0, held);
      try {
        await this.sendWave(tenantId, worker, wave, prepared.context, prepared.done);
      } finally {
        this.slots.release(held);
      }
    }
    return ids.map((id) => prepared.done.get(id) ?? 'lost_lease');
  }

  /** One wave: its crash markers and messages rows, its driver calls, its answers recorded. */
  private async sendWave(tenantId: TenantId, worker: string, wave: readonly Send[], context: OutboundContext, done: Map<string, ExecutionOutcome>): Promise<void> {
    const going = await this.db.unit(tenantId, async () => {
      const started = await this.markStarted(tenantId, worker, wave);
      for (const s of wave) if (!started.has(s.row.id)) done.set(s.row.id, 'lost_lease');
      const starting = wave.filter((s) => started.has(s.row.id));
      const prepared = await this.messenger.prepare(
        starting.map((s) => s.request),
        context,
      );
      return starting.map((s, i) => ({ ...s, send: prepared[i]! }));
    });
    if (going.length === 0) return;
    const delivered = await Promise.all(going.map((g) => this.deliver(g.send)));
    const outcomes = await this.db.unit(tenantId, async () => {
      const results = await this.messenger.complete(going.map((g, i) => ({ send: g.send, outcome: delivered[i] })));
      return this.recorder.record(
        tenantId,
        going.map((g, i) => ({ row: g.row, channel: g.channel, result: results[i]! })),
      );
    });
    going.forEach((g, i) => done.set(g.row.id, outcomes[i]!));
  }

  /**
   * The crash markers: from here on, a lost dispatcher leaves these rows `unknown`, not
   * `planned`. Guarded on send_started_at too: of two executions of one claim (a paced row's
   * continuation and a re-claim by this same worker after its lease was recovered), one starts.
   */
  private async markStarted(tenantId: TenantId, worker: string, wave: readonly Send[]): Promise<Set<string>> {
    const now = this.clock.now();
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<{ id: string }>(
        // In a CTE: TypeORM answers [rows, count] for a bare UPDATE … RETURNING.
        `WITH u AS (
           UPDATE follow_ups f SET send_started_at = $3, channel = v.channel, rate_slot_at = NULL, updated_at = $3
           FROM unnest($4::uuid[], $5::text[]) AS v(id, channel)
           WHERE f.tenant_id = $1 AND f.id = v.id AND f.status = 'sending' AND f.claimed_by = $2 AND f.send_started_at IS NULL
           RETURNING f.id)
         SELECT id FROM u`,
        [tenantId, worker, now, wave.map((s) => s.row.id), wave.map((s) => s.channel)],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The driver call, outside any transaction. */
  private async deliver(send: PreparedSend): Promise<SendOutcome | undefined> {
    try {
      return await this.messenger.deliver(send);
    } catch (err) {
      // The send started and we cannot tell whether it reached the provider: never resend blindly.
      this.logger.error({ err }, 'messenger failed after the send started');
      return { kind: 'unknown' as const, reason: 'the send failed unexpectedly after it started' };
    }
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
    if (rows.length === 0) return { done, paced, sends: [], context: undefined };
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
          const clearance = await this.pacer.clear(tenantId, row, worker, group.outbound.smsSenderKey, group.settings, group.tenantZone, resumed);
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
    return { done, paced, sends, context: group.outbound };
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

  /** Waits for one holder's place, then takes as many more as are free at once, up to `max`. */
  async acquireUpTo(max: number): Promise<number> {
    await this.acquire();
    let taken = 1;
    while (taken < max && this.held < this.size) {
      this.held += 1;
      taken += 1;
    }
    return taken;
  }

  release(count = 1): void {
    for (let i = 0; i < count; i += 1) {
      const next = this.waiting.shift();
      if (next) next();
      else this.held -= 1;
    }
  }
}
