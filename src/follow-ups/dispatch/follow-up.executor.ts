import { Inject, Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { IsNull } from 'typeorm';
import { APP_CONFIG } from '../../config/app-config';
import type { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import type { TenantId } from '../../database/tenant-id';
import { TenantDb, TenantTx } from '../../database/tenant-db.service';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger, OutboundResult, PreparedSend } from '../../messaging/outbound.types';
import type { SendOutcome } from '../../messaging/drivers/driver.types';
import { AppException } from '../../common/app.exception';
import { TenancyService } from '../../tenancy/tenancy.service';
import { chooseChannel } from '../domain/channel';
import type { Channel } from '../domain/channel';
import { defaultTemplate, renderEmail, renderSms, withOptOutLine } from '../domain/templates';
import type { EmailTemplate, SmsTemplate } from '../domain/templates';
import { isWithinWindow, localDateOf, nextWindowOpening, resolveZone } from '../domain/windows';
import { FollowUpAttemptEntity, FollowUpEntity, ONE_OFF } from '../follow-up.entity';
import type { RuleKey } from '../domain/rules';
import { FollowUpRules } from '../planning/follow-up.rules';
import { readFollowUpSettings } from '../tenant-settings';
import type { FollowUpSettings } from '../tenant-settings';
import { MAX_ATTEMPTS, retryDelayMs } from './backoff';
import { CONTACT_STATE_READER, FOLLOW_UP_COMPOSER } from './ports';
import type { ContactState, ContactStateReader, FollowUpComposer } from './ports';

export type ExecutionOutcome =
  | 'sent'
  | 'retry'
  | 'failed'
  | 'unknown'
  | 'skipped'
  | 'deferred'
  /** Claimed ahead of its sender slot: it stays claimed and goes out at the slot (a continuation). */
  | 'paced'
  | 'cancelled'
  | 'task'
  | 'lost_lease'
  | 'error';

type Prepared =
  | { kind: 'done'; outcome: ExecutionOutcome }
  | { kind: 'paced'; at: Date }
  | {
      kind: 'send';
      row: FollowUpEntity;
      channel: Channel;
      send: PreparedSend;
      context: { settings: FollowUpSettings; tenantZone: string; recipientZone: string | null };
    };

/**
 * Send-time jitter a sender's slots absorb: a send leaves at its slot plus the time to prepare it
 * and reach the provider (and up to SLOT_TOLERANCE_MS early). Slots are (1000 + this) / rate ms
 * apart, so `rate` sends span at least 1000 ms + this: no 1 s window at the provider holds more
 * than `rate` of them unless two sends' delays differ by more than this. It costs ~17% of the
 * sender's nominal throughput (rate 10/s: 120 ms apart; rate 1/s: 1,200 ms). Measured (B4, two
 * loaded workers): 100 ms still let 12 sends into one 1 s window at rate 10; 200 ms kept it at 9.
 */
export const SMS_JITTER_ALLOWANCE_MS = 200;
/** A slot this close (or closer) counts as come: the send goes now. */
const SLOT_TOLERANCE_MS = 5;
/**
 * A held slot a pass claims more than this after it has lost its place among the sender's slots
 * (a slow pass, a stop, a crash): sending it now could crowd the slots around now, so a new slot
 * is reserved. Half the jitter allowance; the other half covers the time from this check to the
 * provider. (A paced row's own continuation keeps its slot.)
 */
const SLOT_LATE_TOLERANCE_MS = SMS_JITTER_ALLOWANCE_MS / 2;

/** How SMS sends are spaced and paced, from the configuration. */
export interface SmsPacing {
  /** Between two slots of one sender. */
  intervalMs: number;
  /** A slot at most this far ahead is waited for in process (the row stays claimed). */
  paceMs: number;
  /** A slot further ahead defers the row to be claimed again this long before its slot. */
  leadMs: number;
}

export function smsPacing(config: AppConfig): SmsPacing {
  const d = config.dispatch;
  const intervalMs = Math.max(1, Math.ceil((1000 + SMS_JITTER_ALLOWANCE_MS) / d.smsPerSecondPerSender));
  // Paced rows keep their lease: the wait stays well inside it.
  const paceMs = Math.min(d.tickMs + 1000, (d.leaseSeconds * 1000) / 2);
  // Claimed within a tick after slot − lead, so at most paceMs before the slot: paced, not deferred again.
  const leadMs = Math.max(0, Math.min(d.tickMs + 500, paceMs - 500));
  return { intervalMs, paceMs, leadMs };
}

interface Continuation {
  at: Date;
  /** Set once its time came and the send is under way (shutdown then waits for it). */
  running: boolean;
  cancel(): void;
  done: Promise<ExecutionOutcome | undefined>;
}

/**
 * Executes one claimed follow-up: compose it from the current data, choose the channel, check
 * the window, the daily SMS cap and the sender's rate again at send time, mark the send as
 * started (the crash marker), send outside any transaction, and record the outcome.
 */
@Injectable()
export class FollowUpExecutor {
  private readonly logger = new Logger(FollowUpExecutor.name);
  /** Paced sends waiting for their slot, or running: the continuations of 'paced' executions. */
  private readonly continuations = new Set<Continuation>();
  private pacingStopped = false;

  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
    private readonly tenancy: TenancyService,
    private readonly rules: FollowUpRules,
    @Inject(FOLLOW_UP_COMPOSER) private readonly composer: FollowUpComposer,
    @Inject(CONTACT_STATE_READER) private readonly contactState: ContactStateReader,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  execute(tenantId: TenantId, id: string, worker: string): Promise<ExecutionOutcome> {
    return this.run(tenantId, id, worker, false);
  }

  /** `resumed`: a paced row's continuation, woken at its slot (which it keeps, however late the wake-up). */
  private async run(tenantId: TenantId, id: string, worker: string, resumed: boolean): Promise<ExecutionOutcome> {
    const pacing = { ...smsPacing(this.config), resumed };
    // 1. One transaction: load, compose, choose, check, the crash marker and the messages row.
    const prepared = await this.db.unit(tenantId, () => this.prepare(tenantId, id, worker, pacing));
    if (prepared.kind === 'done') return prepared.outcome;
    if (prepared.kind === 'paced') {
      // Its slot is committed on the row; the lane is free at once, the send waits outside it.
      this.continueAt(tenantId, id, worker, prepared.at);
      return 'paced';
    }
    const { row, channel, send } = prepared;
    // 2. The driver, outside any transaction.
    let delivered: SendOutcome | undefined;
    try {
      delivered = await this.messenger.deliver(send);
    } catch (err) {
      // The send started and we cannot tell whether it reached the provider: never resend blindly.
      this.logger.error({ err, followUpId: row.id }, 'messenger failed after the send started');
      delivered = { kind: 'unknown', reason: 'the send failed unexpectedly after it started' };
    }
    // 3. One transaction: the message's outcome and the follow-up's.
    const { outcome, result } = await this.db.unit(tenantId, async () => {
      const r = await this.messenger.complete(send, delivered);
      return { result: r, outcome: await this.record(tenantId, row, channel, r) };
    });
    if (outcome === 'sent') {
      const sentRow = { ...row, status: 'sent' as const, sentAt: this.clock.now(), channel, messageId: result.messageId };
      try {
        await this.db.unit(tenantId, () => this.rules.afterSent(tenantId, sentRow, prepared.context));
      } catch (err) {
        // The message is sent and recorded; a failed follow-on is logged, never a resend.
        this.logger.error({ err, followUpId: row.id }, 'planning after a sent follow-up failed');
      }
    }
    return outcome;
  }

  /**
   * Runs a paced row again at its slot (by the injected clock): that execution finds it holding a
   * slot that has come, and sends. A lost lease meanwhile makes it `lost_lease` (the crash marker
   * checks the claim), never a send.
   */
  private continueAt(tenantId: TenantId, id: string, worker: string, at: Date): void {
    // Stopping: the row stays claimed; the shutdown's release gives it back holding its slot.
    if (this.pacingStopped) return;
    let cancel: () => void = () => undefined;
    const cancelled = new Promise<'cancelled'>((resolve) => {
      cancel = () => resolve('cancelled');
    });
    const c: Continuation = { at, running: false, cancel, done: Promise.resolve(undefined) };
    this.continuations.add(c);
    c.done = (async (): Promise<ExecutionOutcome | undefined> => {
      try {
        const woke = await Promise.race([this.clock.sleepUntil(at).then(() => 'due' as const), cancelled]);
        if (woke === 'cancelled') return undefined;
        c.running = true;
        return await this.run(tenantId, id, worker, true);
      } catch (err) {
        // The row keeps its lease; recovery gives it back (holding its slot) when it expires.
        this.logger.error({ err, followUpId: id, tenantId }, 'paced follow-up execution failed');
        return 'error';
      } finally {
        this.continuations.delete(c);
      }
    })();
  }

  /** Waits for the paced sends whose slot has come (by the clock), and returns their outcomes. */
  async settleDue(): Promise<Partial<Record<ExecutionOutcome, number>>> {
    const outcomes: Partial<Record<ExecutionOutcome, number>> = {};
    for (;;) {
      const now = this.clock.now().getTime();
      const due = [...this.continuations].filter((c) => c.at.getTime() <= now);
      if (due.length === 0) return outcomes;
      for (const o of await Promise.all(due.map((c) => c.done))) {
        if (o) outcomes[o] = (outcomes[o] ?? 0) + 1;
      }
    }
  }

  /** Shutdown: waiting paced sends are cancelled (they never send); running ones finish, at most `graceMs`. */
  async stopPacing(graceMs: number): Promise<void> {
    this.pacingStopped = true;
    for (const c of this.continuations) if (!c.running) c.cancel();
    const all = [...this.continuations].map((c) => c.done);
    if (all.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  private async prepare(tenantId: TenantId, id: string, worker: string, pacing: SmsPacing & { resumed: boolean }): Promise<Prepared> {
    const now = this.clock.now();
    const row = await this.db.tx(tenantId, (tx) => tx.repo(FollowUpEntity).findOne({ id }));
    if (!row || row.status !== 'sending' || row.claimedBy !== worker) return { kind: 'done', outcome: 'lost_lease' };
    const tenant = await this.tenancy.get(tenantId);
    const settings = readFollowUpSettings(tenant.settings);
    const oneOff = row.rule === ONE_OFF;
    if (row.rule !== ONE_OFF && !settings.policy[row.rule].enabled) {
      return this.finish(tenantId, row, worker, { status: 'cancelled', outcome: 'cancelled', reason: 'the rule is turned off' });
    }

    const composition = await this.composer.compose(tenantId, row);
    if (composition.kind === 'cancel') return this.finish(tenantId, row, worker, { status: 'cancelled', outcome: 'cancelled', reason: composition.reason });
    const { recipient } = composition;
    const state = await this.contactState.read(tenantId, recipient.person);
    const choice = chooseChannel({
      // A one-off message is the recruiter's own answer: it is sent, never turned into a call task.
      lastInboundChannel: oneOff && state.lastInboundChannel === 'phone' ? null : state.lastInboundChannel,
      ...(oneOff && row.requestedChannel ? { requested: row.requestedChannel } : {}),
      preferredChannel: recipient.preferredChannel,
      email: recipient.email,
      phone: recipient.phone,
      optedOut: state.optedOut,
      smsConfigured: state.smsConfigured,
    });
    if (choice.kind === 'none') {
      return this.finish(tenantId, row, worker, { status: 'skipped', outcome: 'skipped', reason: `nobody to send to: ${choice.reason}` });
    }
    if (choice.kind === 'call_task') {
      return this.finish(tenantId, row, worker, {
        status: 'planned',
        kind: 'task',
        channel: 'phone',
        outcome: 'task',
        reason: `Call ${recipient.name} at ${choice.phone}: they last reached out by phone`,
      });
    }
    const channel = choice.channel;
    const zone = resolveZone(recipient.timeZone, composition.tenantZone);
    if (!isWithinWindow(now, channel, zone, settings.windows)) {
      const at = nextWindowOpening(now, channel, zone, settings.windows);
      return this.finish(tenantId, row, worker, { status: 'planned', outcome: 'deferred', dueAt: at, reason: `waiting for the ${channel} sending window` });
    }
    if (channel === 'sms') {
      const limited = await this.smsLimits(tenantId, row, worker, state, settings, composition.tenantZone, pacing);
      if (limited) return limited;
    }

    const template = oneOff ? undefined : this.template(settings, row.rule as RuleKey, channel, composition.audience);
    if (oneOff && row.body === null) {
      return this.finish(tenantId, row, worker, { status: 'cancelled', outcome: 'cancelled', reason: 'the message text was removed' });
    }
    if (!oneOff && !template) {
      return this.finish(tenantId, row, worker, { status: 'skipped', outcome: 'skipped', reason: `no ${channel} template for a ${composition.audience}` });
    }
    let subject: string | undefined;
    let text: string;
    try {
      if (oneOff) {
        // The recruiter's own text, as written; the first SMS to a person still carries the opt-out line.
        subject = channel === 'email' ? (row.subject ?? undefined) : undefined;
        text = channel === 'email' ? (row.body ?? '') : withOptOutLine(row.body ?? '', state.firstSms);
      } else if (channel === 'email') {
        const rendered = renderEmail(template as EmailTemplate, composition.vars);
        subject = rendered.subject;
        text = rendered.body;
      } else {
        text = withOptOutLine(renderSms(template as SmsTemplate, composition.vars), state.firstSms);
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'the template could not be rendered';
      return this.finish(tenantId, row, worker, { status: 'failed', outcome: 'failed', reason: `template: ${reason}` });
    }

    // The crash marker: from here on, a lost dispatcher leaves the row `unknown`, not `planned`.
    const started = await this.db.tx(tenantId, (tx) =>
      // Guarded on send_started_at too: of two executions of one claim (a paced row's continuation
      // and a re-claim by this same worker after its lease was recovered), only one starts the send.
      tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker, sendStartedAt: IsNull() }, { sendStartedAt: now, channel, rateSlotAt: null, updatedAt: now }),
    );
    if (started === 0) return { kind: 'done', outcome: 'lost_lease' };
    let send: PreparedSend;
    try {
      send = await this.messenger.prepare({
        tenantId,
        person: recipient.person,
        channel,
        subject,
        text,
        followUpId: row.id,
        // A one-off message goes on behalf of the recruiter who wrote it; only automated mail carries List-Unsubscribe.
        ...(oneOff && row.ownerUserId ? { userId: row.ownerUserId } : {}),
        automated: !oneOff,
      });
    } catch (err) {
      // Refused before anything left (e.g. the author is no longer a user): nothing to resend.
      if (!(err instanceof AppException)) throw err;
      return this.finish(tenantId, row, worker, { status: 'failed', outcome: 'failed', reason: err.detail });
    }
    return { kind: 'send', row, channel, send, context: { settings, tenantZone: composition.tenantZone, recipientZone: recipient.timeZone } };
  }

  /**
   * Per-sender rate (shared by all processes) and the tenant's daily cap, checked at send time.
   * The row's slot is the one it holds (rate_slot_at; unless a pass claimed it well after that
   * slot) or a new one from reserve_sender_slot. A slot that has come: send now. One at most `paceMs` ahead: pace (the row stays claimed, the
   * slot is committed on it, and a continuation sends it at the slot). Further ahead: defer the
   * row holding its slot, due `leadMs` before it, so a pass claims it ahead and paces it.
   * The daily cap counts a send only when it goes, so a paced row is counted once.
   */
  private async smsLimits(
    tenantId: TenantId,
    row: FollowUpEntity,
    worker: string,
    state: ContactState,
    settings: FollowUpSettings,
    tenantZone: string,
    pacing: SmsPacing & { resumed: boolean },
  ): Promise<Prepared | undefined> {
    const now = this.clock.now();
    // A held slot is used, ahead or just come (or when the continuation paced to it woke up); one
    // a pass claimed more than SLOT_LATE_TOLERANCE_MS after it is given up for a new one.
    const held = row.rateSlotAt !== null && (pacing.resumed || row.rateSlotAt.getTime() >= now.getTime() - SLOT_LATE_TOLERANCE_MS);
    const slot = held && row.rateSlotAt ? row.rateSlotAt : await this.db.tx(tenantId, async (tx) => {
      const [r] = await tx.query<{ slot: Date }>('SELECT reserve_sender_slot($1, $2, $3::interval) AS slot', [
        state.smsSenderKey,
        now,
        `${pacing.intervalMs} milliseconds`,
      ]);
      return r?.slot ?? now;
    });
    const wait = slot.getTime() - now.getTime();
    if (wait > SLOT_TOLERANCE_MS && wait <= pacing.paceMs) {
      const n = await this.db.tx(tenantId, (tx) =>
        tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker }, { rateSlotAt: slot, reason: 'waiting for the SMS sender rate limit', updatedAt: now }),
      );
      return n === 0 ? { kind: 'done', outcome: 'lost_lease' } : { kind: 'paced', at: slot };
    }
    if (wait > pacing.paceMs) {
      return this.finish(tenantId, row, worker, {
        status: 'planned',
        outcome: 'deferred',
        dueAt: new Date(slot.getTime() - pacing.leadMs),
        rateSlotAt: slot,
        reason: 'waiting for the SMS sender rate limit',
        keepAttempt: true,
      });
    }
    const day = localDateOf(now, tenantZone);
    const counted = await this.db.tx(tenantId, (tx) =>
      tx.query<{ sent: number }>(
        `INSERT INTO sms_daily_usage AS u (tenant_id, day, sent) VALUES ($1, $2, 1)
         ON CONFLICT (tenant_id, day) DO UPDATE SET sent = u.sent + 1 WHERE u.sent < $3
         RETURNING sent`,
        [tenantId, day, settings.smsDailyCap],
      ),
    );
    if (settings.smsDailyCap === 0 || counted.length === 0) {
      const midnight = DateTime.fromJSDate(now).setZone(tenantZone).plus({ days: 1 }).startOf('day').toJSDate();
      const tomorrow = nextWindowOpening(midnight, 'sms', tenantZone, settings.windows);
      return this.finish(tenantId, row, worker, {
        status: 'planned',
        outcome: 'deferred',
        dueAt: tomorrow,
        reason: `the daily SMS cap (${settings.smsDailyCap}) is reached; it goes out tomorrow`,
        keepAttempt: true,
      });
    }
    return undefined;
  }

  private template(settings: FollowUpSettings, rule: RuleKey, channel: Channel, audience: 'candidate' | 'contact'): EmailTemplate | SmsTemplate | undefined {
    const templates = settings.policy[rule].templates;
    const custom = channel === 'email' ? templates.email[audience] : templates.sms[audience];
    if (custom) return custom;
    return channel === 'email' ? defaultTemplate(rule, 'email', audience) : defaultTemplate(rule, 'sms', audience);
  }

  /** Ends this claim without sending: the row gets its new status; an attempt is recorded. */
  private async finish(
    tenantId: TenantId,
    row: FollowUpEntity,
    worker: string,
    change: {
      status: FollowUpEntity['status'];
      outcome: ExecutionOutcome;
      reason: string;
      dueAt?: Date;
      kind?: 'task';
      channel?: 'phone';
      /** A deferral for rate or cap does not count as a delivery attempt. */
      keepAttempt?: boolean;
      rateSlotAt?: Date;
    },
  ): Promise<Prepared> {
    const now = this.clock.now();
    const changed = await this.db.tx(tenantId, async (tx) => {
      const patch: Partial<FollowUpEntity> = {
        status: change.status,
        reason: change.reason,
        leaseUntil: null,
        claimedBy: null,
        updatedAt: now,
      };
      if (change.dueAt) patch.dueAt = change.dueAt;
      patch.rateSlotAt = change.rateSlotAt ?? null;
      if (change.kind) patch.kind = change.kind;
      if (change.channel) patch.channel = change.channel;
      if (change.keepAttempt || change.outcome === 'deferred') patch.attempts = Math.max(0, row.attempts - 1);
      const n = await tx.repo(FollowUpEntity).update({ id: row.id, status: 'sending', claimedBy: worker }, patch);
      if (n === 0) return 0;
      await this.attempt(tx, row, change.outcome, { reason: change.reason });
      this.emitTerminal(tx, row, change.status, change.reason);
      return n;
    });
    return { kind: 'done', outcome: changed === 0 ? 'lost_lease' : change.outcome };
  }

  private async record(tenantId: TenantId, row: FollowUpEntity, channel: Channel, result: OutboundResult): Promise<ExecutionOutcome> {
    const now = this.clock.now();
    const o = result.outcome;
    return this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(FollowUpEntity);
      const base: Partial<FollowUpEntity> = { leaseUntil: null, claimedBy: null, updatedAt: now, channel, messageId: result.messageId };
      let outcome: ExecutionOutcome;
      let patch: Partial<FollowUpEntity>;
      switch (o.kind) {
        case 'sent':
          outcome = 'sent';
          patch = { ...base, status: 'sent', sentAt: now, reason: o.simulated ? 'simulated: no provider is configured' : null, errorCode: null };
          break;
        case 'retryable':
          if (row.attempts >= MAX_ATTEMPTS) {
            outcome = 'failed';
            patch = { ...base, status: 'failed', reason: `gave up after ${row.attempts} attempts: ${o.reason}`, errorCode: o.code ?? null };
          } else {
            outcome = 'retry';
            const delay = o.retryAfterMs ?? retryDelayMs(row.attempts);
            patch = { ...base, status: 'planned', dueAt: new Date(now.getTime() + delay), sendStartedAt: null, reason: `retrying: ${o.reason}`, errorCode: o.code ?? null };
          }
          break;
        case 'permanent':
          outcome = 'failed';
          patch = { ...base, status: 'failed', reason: o.reason, errorCode: o.code ?? null };
          break;
        case 'unknown':
          outcome = 'unknown';
          patch = { ...base, status: 'unknown', reason: o.reason, errorCode: o.code ?? null };
          break;
        case 'blocked':
          // Consent changed between the channel choice and the send: choose again right away.
          outcome = row.attempts >= MAX_ATTEMPTS ? 'skipped' : 'retry';
          patch =
            outcome === 'skipped'
              ? { ...base, status: 'skipped', reason: o.reason }
              : { ...base, status: 'planned', dueAt: now, sendStartedAt: null, channel: null, reason: `re-routing: ${o.reason}` };
          break;
      }
      await repo.update({ id: row.id }, patch);
      await this.attempt(tx, row, outcome === 'retry' ? 'retry' : outcome, {
        channel,
        code: 'code' in o ? (o.code ?? null) : null,
        reason: 'reason' in o ? o.reason : null,
        messageId: result.messageId,
      });
      const status = patch.status ?? row.status;
      this.emitTerminal(tx, row, status, patch.reason ?? null);
      return outcome;
    });
  }

  private async attempt(
    tx: TenantTx,
    row: FollowUpEntity,
    outcome: string,
    detail: { channel?: string | null; code?: string | null; reason?: string | null; messageId?: string | null },
  ): Promise<void> {
    await tx.repo(FollowUpAttemptEntity).insert({
      followUpId: row.id,
      attempt: row.attempts,
      outcome: outcome === 'lost_lease' || outcome === 'error' ? 'failed' : outcome,
      channel: detail.channel ?? null,
      code: detail.code ?? null,
      reason: detail.reason ?? null,
      messageId: detail.messageId ?? null,
      at: this.clock.now(),
    });
  }

  private emitTerminal(tx: TenantTx, row: FollowUpEntity, status: string, reason: string | null): void {
    if (['sent', 'failed', 'skipped', 'cancelled'].includes(status)) {
      tx.emit(`follow_up.${status}`, { followUpId: row.id, rule: row.rule, reason }, { kind: 'system' });
    }
  }
}
