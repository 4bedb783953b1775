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
import { inviteFor } from '../compose/invite';
import { threadKeyOf } from '../compose/thread';
import { FollowUpComposer } from '../compose/follow-up.composer';
import type { Channel } from '../../messaging/domain/channel';
import { isWithinWindow, nextWindowOpening, resolveZone } from '../domain/windows';
import { FollowUpEntity, ONE_OFF } from '../follow-up.entity';
import { AttemptRecorder } from './attempt-recorder';
import type { ExecutionOutcome, Finish } from './attempt-recorder';
import { SmsPacer } from './sms-pacer';

interface Send {
  row: FollowUpEntity;
  channel: Channel;
  /** The template variant the text came from (recorded on the row when the send starts). */
  variant: string | null;
  request: OutboundRequest;
}

interface Going extends Send {
  send: PreparedSend;
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
 *     task, deferred) in one UPDATE; then the first wave's start: its crash markers
 *     (send_started_at) in one UPDATE and its messages rows in one INSERT
 *     (OutboundMessenger.prepare). COMMIT.
 *   the wave's drivers, outside any transaction, concurrently.
 *   unit 2: the answers on the messages (OutboundMessenger.complete) and on the follow-ups
 *     (AttemptRecorder.record), whose events' reactions plan what follows (a nudge, a referral
 *     update, a check-in), the wave together. COMMIT; the wave's slots are free.
 *   A group larger than DISPATCH_CONCURRENCY goes in more waves, each a start unit, its drivers
 *   and a record unit.
 *
 * Send slots: DISPATCH_CONCURRENCY per process, whatever the groups. A wave takes its slots at
 * once before its start and gives them back after its record, so a process that dies leaves at
 * most DISPATCH_CONCURRENCY follow-ups `unknown`; the rows it had not started go back to
 * `planned` when their lease expires, and no messages row exists for them.
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
    // The first wave's slots are taken before unit 1, so that its crash markers and messages
    // rows go in that same transaction: a group that fits in one wave costs two transactions.
    let held = await this.slots.acquire(Math.min(ids.length, this.slots.size));
    try {
      const prepared = await this.db.unit(tenantId, async () => {
        const p = await this.prepare(tenantId, ids, worker, resumed);
        const first = p.context ? await this.start(tenantId, worker, p.sends.slice(0, held), p.context, p.done) : [];
        return { ...p, first, rest: p.sends.slice(held) };
      });
      for (const { id, at } of prepared.paced) {
        // Its slot is committed on the row; the lane is free at once, the send waits outside it.
        this.pacer.continueAt(at, id, async () => (await this.run(tenantId, [id], worker, true))[0] ?? 'error');
        prepared.done.set(id, 'paced');
      }
      // Slots the first wave does not use are free at once.
      const unused = held - Math.min(held, prepared.sends.length);
      this.slots.release(unused);
      held -= unused;
      await this.finish(tenantId, prepared.first, prepared.done);
      this.slots.release(held);
      held = 0;
      const waiting = [...prepared.rest];
      while (waiting.length > 0 && prepared.context) {
        held = await this.slots.acquire(Math.min(waiting.length, this.slots.size));
        const wave = waiting.splice(0, held);
        const going = await this.db.unit(tenantId, () => this.start(tenantId, worker, wave, prepared.context!, prepared.done));
        await this.finish(tenantId, going, prepared.done);
        this.slots.release(held);
        held = 0;
      }
      return ids.map((id) => prepared.done.get(id) ?? 'lost_lease');
    } finally {
      this.slots.release(held);
    }
  }

  /** A wave's start, in the caller's unit: its crash markers and its messages rows. */
  private async start(tenantId: TenantId, worker: string, wave: readonly Send[], context: OutboundContext, done: Map<string, ExecutionOutcome>): Promise<Going[]> {
    if (wave.length === 0) return [];
    const started = await this.markStarted(tenantId, worker, wave);
    for (const s of wave) if (!started.has(s.row.id)) done.set(s.row.id, 'lost_lease');
    const starting = wave.filter((s) => started.has(s.row.id));
    const prepared = await this.messenger.prepare(
      starting.map((s) => s.request),
      context,
    );
    return starting.map((s, i) => ({ ...s, send: prepared[i]! }));
  }

  /** A wave's driver calls, outside any transaction, then its answers recorded in one unit. */
  private async finish(tenantId: TenantId, going: readonly Going[], done: Map<string, ExecutionOutcome>): Promise<void> {
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
           UPDATE follow_ups f SET send_started_at = $3, channel = v.channel, variant = v.variant, rate_slot_at = NULL, updated_at = $3
           FROM unnest($4::uuid[], $5::text[], $6::text[]) AS v(id, channel, variant)
           WHERE f.tenant_id = $1 AND f.id = v.id AND f.status = 'sending' AND f.claimed_by = $2 AND f.send_started_at IS NULL
           RETURNING f.id)
         SELECT id FROM u`,
        [tenantId, worker, now, wave.map((s) => s.row.id), wave.map((s) => s.channel), wave.map((s) => s.variant)],
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
          variant: draft.variant,
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
            threadKey: threadKeyOf(row),
            invite: inviteFor(row, composition, channel),
          },
        });
      }
    }
    const ended = await this.recorder.finish(tenantId, worker, finishes);
    finishes.forEach((f, i) => done.set(f.row.id, ended[i]!));
    return { done, paced, sends, context: group.outbound };
  }
}

/**
 * At most `size` slots held at a time. `acquire(n)` takes n slots at once, first come first
 * served: a request waits until n are free (nothing is held while waiting, so two callers never
 * deadlock on halves).
 */
class Semaphore {
  private held = 0;
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  constructor(readonly size: number) {}

  /** Resolves to n (1 ≤ n ≤ size) once n slots are this caller's. */
  acquire(n: number): Promise<number> {
    const count = Math.max(1, Math.min(n, this.size));
    if (this.waiting.length === 0 && this.held + count <= this.size) {
      this.held += count;
      return Promise.resolve(count);
    }
    return new Promise((resolve) => this.waiting.push({ count, resolve: () => resolve(count) }));
  }

  release(count: number): void {
    this.held -= count;
    while (this.waiting.length > 0 && this.held + this.waiting[0]!.count <= this.size) {
      const next = this.waiting.shift()!;
      this.held += next.count;
      next.resolve();
    }
  }
}
