import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { InsightsQuery } from '../api/operations';
import { Empty, FormError, Loading } from '../components/ui';
import { RULE_LABELS } from '../words';

const WEEKS = 8;
const DAY = 86_400_000;

/** Monday 00:00 (the browser's zone) of the week `weeksAgo` weeks before this one. */
function weekStart(weeksAgo: number): Date {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) - 7 * weeksAgo);
  return d;
}

const percent = (rate: number | null | undefined): string => (rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`);
const shortDate = (d: Date): string => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 2 * 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** A horizontal bar for a share, with the number written next to it (the bar is decoration). */
function Bar({ rate, label }: { rate: number | null | undefined; label?: string }) {
  return (
    <span className="bar-cell">
      <span className="bar" aria-hidden="true" style={{ width: `${Math.round((rate ?? 0) * 100)}%` }} />
      <span className="bar-value">{label ?? percent(rate)}</span>
    </span>
  );
}

export function InsightsPage() {
  // Boundaries: WEEKS + 1 Mondays, oldest first; the last is next Monday (this week so far).
  const bounds = Array.from({ length: WEEKS + 1 }, (_, i) => weekStart(WEEKS - 1 - i));
  const until = new Date();
  const since = new Date(until.getTime() - 30 * DAY);
  const vars = Object.fromEntries(bounds.map((b, i) => [`s${i}`, b.toISOString()])) as Record<`s${number}`, string>;
  const data = useQuery({
    queryKey: ['insights', bounds[0]!.toISOString()],
    queryFn: () => request(InsightsQuery, { ...(vars as { s0: string; s1: string; s2: string; s3: string; s4: string; s5: string; s6: string; s7: string; s8: string }), since: since.toISOString(), until: until.toISOString() }),
  });
  if (data.isPending) return <Loading what="insights" />;
  if (data.error || !data.data) return <FormError error={data.error} />;
  const d = data.data;
  const weeks = [d.w0, d.w1, d.w2, d.w3, d.w4, d.w5, d.w6, d.w7];
  const rules = [...new Set(weeks.flatMap((w) => w.byRule.flatMap((r) => (r.rule ? [r.rule] : []))))];
  const month = d.month.total;
  const movedForward = d.outcomes.rules.reduce((sum, r) => sum + r.followedUp.hits, 0);
  const followedUpLeads = d.outcomes.rules.reduce((sum, r) => sum + r.followedUp.n, 0);
  return (
    <div className="page insights">
      <header className="page-head">
        <h1>Insights</h1>
      </header>
      <p className="muted">
        A follow-up counts as answered when the person replied on any channel (or you logged their call) within {d.month.windowDays} days of it. Opens are not counted.
      </p>

      <section aria-labelledby="funnel-title">
        <h2 id="funnel-title">The last 30 days</h2>
        {month.sent === 0 ? (
          <Empty title="Nothing sent in the last 30 days yet.">
            <p>Once follow-ups go out, this shows how many got answers and moved people forward.</p>
          </Empty>
        ) : (
          <table className="funnel" aria-label="From sent to answered to moved forward">
            <tbody>
              <tr>
                <th scope="row">Follow-ups sent</th>
                <td>
                  <Bar rate={1} label={String(month.sent)} />
                </td>
              </tr>
              <tr>
                <th scope="row">Answered</th>
                <td>
                  <Bar rate={month.replyRate} label={`${month.replied} (${percent(month.replyRate)})`} />
                </td>
              </tr>
              <tr>
                <th scope="row">Moved forward</th>
                <td>
                  <Bar rate={followedUpLeads ? movedForward / followedUpLeads : 0} label={`${movedForward} of ${followedUpLeads} followed up`} />
                </td>
              </tr>
            </tbody>
          </table>
        )}
        {month.sent > 0 && (
          <p>
            Answers come after {duration(month.medianSecondsToReply)} (median); 9 in 10 within {duration(month.p90SecondsToReply)}.
          </p>
        )}
      </section>

      <section aria-labelledby="weekly-title">
        <h2 id="weekly-title">Reply rate per week</h2>
        {rules.length === 0 ? (
          <Empty title="No follow-ups sent in the last eight weeks." />
        ) : (
          <div className="table-scroll">
            <table className="weekly" aria-label="Share of follow-ups answered, per rule and week">
              <thead>
                <tr>
                  <th scope="col">Follow-up</th>
                  {bounds.slice(0, WEEKS).map((b) => (
                    <th scope="col" key={b.toISOString()}>
                      week of {shortDate(b)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[null, ...rules].map((rule) => (
                  <tr key={rule ?? 'all'}>
                    <th scope="row">{rule ? (RULE_LABELS[rule] ?? rule) : 'All follow-ups'}</th>
                    {weeks.map((w, i) => {
                      const s = rule ? w.byRule.find((r) => r.rule === rule) : w.total;
                      return <td key={i}>{s && s.sent > 0 ? <Bar rate={s.replyRate} label={`${percent(s.replyRate)} of ${s.sent}`} /> : <span className="muted">–</span>}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="muted">The latest week is still open: its follow-ups have {d.month.windowDays} days to be answered.</p>
      </section>

      <section aria-labelledby="outcomes-title">
        <h2 id="outcomes-title">Did following up move people forward?</h2>
        {d.outcomes.rules.every((r) => r.followedUp.n === 0 && r.baseline.n === 0) ? (
          <Empty title="Not enough history yet." />
        ) : (
          <table className="outcomes" aria-label="Outcomes with and without the follow-up">
            <thead>
              <tr>
                <th scope="col">After</th>
                <th scope="col">With the follow-up</th>
                <th scope="col">Without (cancelled or skipped)</th>
              </tr>
            </thead>
            <tbody>
              {d.outcomes.rules.map((r) => (
                <tr key={r.rule}>
                  <th scope="row">
                    {RULE_LABELS[r.rule] ?? r.rule}: {r.outcome} within {d.outcomes.outcomeDays} days
                  </th>
                  <td>
                    <Bar rate={r.followedUp.rate} label={`${percent(r.followedUp.rate)} of ${r.followedUp.n}`} />
                  </td>
                  <td>
                    <Bar rate={r.baseline.rate} label={`${percent(r.baseline.rate)} of ${r.baseline.n}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">A comparison with the same firm's people whose follow-up did not go, not proof that the follow-up caused it.</p>
      </section>
    </div>
  );
}
