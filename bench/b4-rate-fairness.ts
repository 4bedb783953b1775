import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Client } from 'pg';
import { FakeTwilioServer } from '../test/support/fake-twilio.server';
import { adminClient } from './lib/database';
import { appEnv } from './lib/app-env';
import { startChild } from './lib/children';
import type { Child } from './lib/children';
import type { Bench, BenchContext } from './lib/context';
import { apiPut, daytimeZone, describePasses, evenlyDue, latenessMs, maxInWindow, readSeeded, seedDueFollowUps, statusCounts, waitSettled } from './lib/dispatch-seed';
import type { DueSeed, Pass, SettledRow } from './lib/dispatch-seed';
import { judge } from './lib/results';
import type { Figure } from './lib/results';
import { signupTenants } from './lib/seed';
import { percentile, round, sleep } from './lib/stats';

/** SMS_PER_SECOND_PER_SENDER for the run (production default 1; higher keeps the run short). */
const RATE = 10;
const TICK_MS = 1_000;
const WORKERS = 2;
/** Each small firm: SMALL SMS follow-ups due evenly over SMALL_SPREAD_MS (2/s, a fifth of its sender's rate). */
const SMALL = 24;
const SMALL_SPREAD_MS = 12_000;
/** The big firm's backlog: 10x a small firm's follow-ups, all due at once (24 s of its sender's rate). */
const BACKLOG = 10 * SMALL;

/**
 * B4: SMS rate per sender and fairness across tenants, end to end: two real worker processes
 * (scheduler on, real clock) send through the real Twilio driver to a local Twilio-speaking
 * server (test/support/fake-twilio.server.ts), which records when each request arrived and with
 * which account and number. Three firms, each with its own Twilio account and number (set through
 * the senders API, so the auth token is stored encrypted as in production), in a zone where it is
 * daytime (the SMS window is open whatever the hour of the run), daily SMS cap raised to the
 * maximum through the sending-settings API.
 *
 *   without backlog  small firms A and B: 24 SMS follow-ups each, due over 12 s;
 *   with backlog     the same again, while firm C has 240 (10x) due at once.
 *
 * The same two workers serve both phases, so their polling phases (which set the lateness floor)
 * are the same. Both small firms are measured in both phases (48 samples rather than 24 for a p99).
 *
 * Figures: the most SMS one sender had arrive in any 1 s window (sliding over the recorded
 * arrival times of both phases) against the configured rate (ratio <= 1); the small firms' p99
 * lateness (sent_at − due_at as seeded) with the backlog against without it (ratio <= 2).
 */
export const b4: Bench = {
  id: 'B4',
  title: 'SMS rate per sender and fairness across tenants',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const small = ctx.quick ? 12 : SMALL;
    const smallSpread = ctx.quick ? 6_000 : SMALL_SPREAD_MS;
    const backlog = ctx.quick ? 10 * small : BACKLOG;
    const url = await ctx.server.newDatabase();
    const twilio = new FakeTwilioServer();
    const { url: twilioUrl } = await twilio.start();
    const env = appEnv(url, {
      BENCH_MODE: 'worker',
      DISPATCH_TICK_MS: String(TICK_MS),
      SMS_PER_SECOND_PER_SENDER: String(RATE),
      TWILIO_API_URL: twilioUrl,
    });
    // The workers boot while the firms are set up (they only need the migrated database).
    const booting = Date.now();
    const workers: Child[] = Array.from({ length: WORKERS }, (_, i) => startChild(ctx.root, 'dispatch-child', env, `worker-${i}`));
    let admin: Client | undefined;
    let without: SettledRow[] = [];
    let withBacklog: SettledRow[] = [];
    const senders = new Map<string, string>(); // "AC…/+1…" → firm label
    let firms: [string, string, string];
    try {
      const api = startChild(ctx.root, 'api-server', appEnv(url), 'api');
      const { port } = (await api.ready) as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const tenants = await signupTenants(base, 3, 'b4', daytimeZone());
      for (const [i, t] of tenants.entries()) {
        const accountSid = `AC${randomBytes(16).toString('hex')}`;
        const authToken = randomBytes(16).toString('hex');
        const from = `+1415555010${i}`;
        twilio.addAccount(accountSid, authToken);
        senders.set(`${accountSid}/${from}`, 'ABC'[i] ?? String(i));
        await apiPut(base, t.token, '/v1/settings/senders', { twilioAccountSid: accountSid, twilioAuthToken: authToken, twilioFrom: from });
        await apiPut(base, t.token, '/v1/settings/sending', { smsDailyCap: 100_000 });
      }
      await api.stop();
      firms = tenants.map((t) => t.tenantId) as [string, string, string];
      const [a, b, c] = firms;
      admin = await adminClient(url);
      await Promise.all(workers.map((w) => w.ready));
      ctx.log(`B4   firms set up and ${WORKERS} workers ready in ${round((Date.now() - booting) / 1000, 1)} s`);
      await sleep(500);

      // B's follow-ups fall due between A's, as two independent firms' would.
      const smalls = (from: number, tag: string, phone: number): DueSeed[] => [
        { tenantId: a, tag: `${tag}-a`, dueAt: evenlyDue(from, small, smallSpread), sms: true, phoneBase: phone },
        { tenantId: b, tag: `${tag}-b`, dueAt: evenlyDue(from + smallSpread / small / 2, small, smallSpread), sms: true, phoneBase: phone + 10_000 },
      ];
      without = await runPhase(ctx, admin, workers, 'without backlog', (from) => smalls(from, 'b4-alone', 4_152_000_000), smallSpread + 15_000);
      withBacklog = await runPhase(
        ctx,
        admin,
        workers,
        'with backlog',
        (from) => [
          ...smalls(from, 'b4-with', 4_152_100_000),
          { tenantId: c, tag: 'b4-with-c', dueAt: evenlyDue(from, backlog, 0), sms: true, phoneBase: 4_152_300_000 },
        ],
        (backlog / RATE) * 1000 + 20_000,
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await admin?.end();
      await twilio.stop();
    }
    const [a, b, c] = firms;

    // Rate: every Messages request counts (a provider counts what it receives), per sender.
    const bySender = new Map<string, number[]>();
    for (const r of twilio.requests) {
      const key = `${r.accountSid ?? '?'}/${r.From ?? r.MessagingServiceSid ?? '?'}`;
      bySender.set(key, [...(bySender.get(key) ?? []), r.receivedAt.getTime()]);
    }
    const perSender = [...bySender.entries()]
      .map(([key, times]) => ({ firm: senders.get(key) ?? key, n: times.length, max: maxInWindow(times, 1000), burst: maxInWindow(times, 100), times }))
      .sort((x, y) => x.firm.localeCompare(y.firm));
    const worst = perSender.reduce((m, s) => Math.max(m, s.max), 0);
    ctx.log(
      `B4   SMS received per sender (n, most in any 1 s, most in any 100 ms): ${perSender.map((s) => `${s.firm} ${s.n}, ${s.max}, ${s.burst}`).join('; ')}; limit ${RATE}/s`,
    );
    const cTimes = perSender.find((s) => s.firm === 'C')?.times ?? [];
    if (cTimes.length > 1) {
      const span = (Math.max(...cTimes) - Math.min(...cTimes)) / 1000;
      ctx.log(`B4   backlog firm C: ${cTimes.length} SMS over ${round(span, 1)} s = ${round((cTimes.length - 1) / span, 2)}/s (limit ${RATE}/s)`);
    }
    // A row deferred for the rate keeps the slot it reserved as its due_at: how long after its slot did it go?
    const held = withBacklog.filter((r) => r.tenantId === c && r.deferrals > 0 && r.messageAt);
    if (held.length) {
      const lag = held.map((r) => (r.messageAt as Date).getTime() - r.rowDueAt.getTime());
      ctx.log(
        `B4   backlog rows deferred to a reserved slot: ${held.length}; send started after its slot by p50 ${round(percentile(lag, 50), 0)} ms, ` +
          `p99 ${round(percentile(lag, 99), 0)} ms, max ${round(Math.max(...lag), 0)} ms (slots are ${1000 / RATE} ms apart)`,
      );
    }

    const doneAt = Date.now();
    const smallRows = (rows: SettledRow[]): SettledRow[] => rows.filter((r) => r.tenantId === a || r.tenantId === b);
    const late = (rows: SettledRow[]): number[] => latenessMs(rows, doneAt);
    const q = (rows: SettledRow[], p: number): number => percentile(late(rows), p) / 1000;
    // Where the small firms' time went: due → send started (the wait for a pass, the claim, prepare) and send started → recorded.
    const split = (rows: SettledRow[]): string => {
      const sent = rows.filter((r) => r.sentAt && r.messageAt);
      const before = sent.map((r) => (r.messageAt as Date).getTime() - r.dueAt.getTime());
      const after = sent.map((r) => (r.sentAt as Date).getTime() - (r.messageAt as Date).getTime());
      return `due → send started p50 ${round(percentile(before, 50), 0)} / p99 ${round(percentile(before, 99), 0)} ms, send started → recorded p50 ${round(percentile(after, 50), 0)} / p99 ${round(percentile(after, 99), 0)} ms`;
    };
    const firm = (rows: SettledRow[], t: string): SettledRow[] => rows.filter((r) => r.tenantId === t);
    ctx.log(
      `B4   lateness without backlog: A p50 ${round(q(firm(without, a), 50), 3)} s p99 ${round(q(firm(without, a), 99), 3)} s, B p50 ${round(q(firm(without, b), 50), 3)} s p99 ${round(q(firm(without, b), 99), 3)} s; ` +
        `with: A p50 ${round(q(firm(withBacklog, a), 50), 3)} s p99 ${round(q(firm(withBacklog, a), 99), 3)} s, B p50 ${round(q(firm(withBacklog, b), 50), 3)} s p99 ${round(q(firm(withBacklog, b), 99), 3)} s, ` +
        `C (backlog) p50 ${round(q(firm(withBacklog, c), 50), 1)} s p99 ${round(q(firm(withBacklog, c), 99), 1)} s`,
    );
    ctx.log(`B4   small firms without backlog: ${split(smallRows(without))}; with: ${split(smallRows(withBacklog))}`);
    const unsent = [...without, ...withBacklog].filter((r) => r.status !== 'sent').length;
    return [
      judge({
        bench: 'B4',
        name: 'most SMS from one sender in any 1 s window',
        value: worst,
        unit: 'SMS',
        baseline: RATE,
        target: { kind: 'ratio<=', limit: 1, text: `never above SMS_PER_SECOND_PER_SENDER (${RATE})` },
        note: `sliding 1 s window over the Twilio server's arrival times, per account+number, both phases; backlog ${backlog} due at once; baseline: the configured rate`,
      }),
      judge({
        bench: 'B4',
        name: 'small firms p99 lateness beside a 10x backlog',
        value: q(smallRows(withBacklog), 99),
        unit: 's',
        baseline: q(smallRows(without), 99),
        target: { kind: 'ratio<=', limit: 2, text: '<= 2x the same firms without the backlog' },
        note:
          `2 firms x ${small} SMS due over ${smallSpread / 1000} s, sent_at − due_at as seeded; backlog: a third firm's ${backlog} SMS due at once, ${RATE}/s per sender; ` +
          `baseline: the same small firms and workers without the backlog${unsent ? `; ${unsent} NOT sent` : ''}`,
      }),
    ];
  },
};

/** Seeds one phase's follow-ups (first due 2 s from now) and waits until they are all final. */
async function runPhase(
  ctx: BenchContext,
  admin: Client,
  workers: readonly Child[],
  label: string,
  seeds: (from: number) => DueSeed[],
  budgetMs: number,
): Promise<SettledRow[]> {
  const from = Date.now() + 2_000;
  const s = seeds(from);
  const seededDue = await seedDueFollowUps(admin, s);
  const tags = s.map((x) => x.tag);
  const open = await waitSettled(admin, tags, from + budgetMs);
  const rows = await readSeeded(admin, tags, seededDue);
  const passes = await Promise.all(workers.map(async (w) => (await w.request({ cmd: 'passes' })).passes as Pass[]));
  const deferrals = s.map((x) => {
    const mine = rows.filter((r) => r.tenantId === x.tenantId);
    return `${x.tag} ${mine.filter((r) => r.deferrals > 0).length}/${mine.length} rows (${mine.reduce((n, r) => n + r.deferrals, 0)} deferrals)`;
  });
  ctx.log(`B4   ${label}: ${describePasses(passes, TICK_MS)}`);
  ctx.log(
    `B4   ${label}: ${JSON.stringify(statusCounts(rows))} in ${round((Date.now() - from) / 1000, 1)} s${open ? ` (${open} still open at the deadline)` : ''}; ` +
      `deferred (rate or window): ${deferrals.join(', ')}; load average ${round(loadavg()[0] ?? 0, 1)}`,
  );
  return rows;
}
