import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { request } from '../api/client';
import { AgendaQuery } from '../api/operations';
import { recruiterZone } from '../api/preview';
import { FollowUpCard } from '../components/FollowUpCard';
import { Empty, FormError, Loading } from '../components/ui';
import type { FragmentOf } from '../api/graphql';
import { FollowUpFields } from '../api/operations';
import { readFragment } from '../api/graphql';

function Section({ title, items, empty, id }: { title: string; items: readonly FragmentOf<typeof FollowUpFields>[]; empty: string; id: string }) {
  return (
    <section aria-labelledby={id} className="section">
      <h2 id={id}>
        {title} <span className="count">{items.length}</span>
      </h2>
      {items.length === 0 ? <p className="muted">{empty}</p> : items.map((f) => <FollowUpCard key={readFragment(FollowUpFields, f).id} followUp={f} />)}
    </section>
  );
}

export function TodayPage() {
  const agenda = useQuery({ queryKey: ['agenda'], queryFn: () => request(AgendaQuery, {}), refetchInterval: 15_000 });
  if (agenda.isPending) return <Loading what="your day" />;
  if (agenda.error) return <FormError error={agenda.error} />;
  const a = agenda.data.agenda;
  const total = a.goingOut.length + a.awaitingApproval.length + a.needsAttention.length + a.tasks.length + a.goneQuiet.length;
  const day = new Date(`${a.date}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });
  return (
    <div className="page today">
      <header className="page-head">
        <h1>Today</h1>
        <p className="muted">
          {day} · times shown in your time zone, {recruiterZone()}
        </p>
      </header>
      {a.repliesToAnswer.length > 0 && (
        <p className="callout">
          <Link href="/replies">
            {a.repliesToAnswer.length} {a.repliesToAnswer.length === 1 ? 'reply is' : 'replies are'} waiting for an answer
          </Link>
        </p>
      )}
      {total === 0 ? (
        <Empty title="Nothing to do today yet.">
          <p>
            Follow-ups are planned as your pipeline moves: add a candidate, give them a lead, and move it to <em>applied</em> when you send the resume. Touchpoint plans the
            follow-up to the employer and shows it here on the day it goes out.
          </p>
          <p>
            <Link href="/candidates?new=1" className="button primary">
              Add a candidate
            </Link>
          </p>
        </Empty>
      ) : (
        <>
          <Section id="awaiting" title="Waiting for your approval" items={a.awaitingApproval} empty="Nothing waits for your approval." />
          <Section id="going-out" title="Going out today" items={a.goingOut} empty="Nothing else goes out today." />
          <Section id="attention" title="Failed or skipped" items={a.needsAttention} empty="Nothing failed or was skipped this week." />
          <Section id="tasks" title="Your tasks" items={a.tasks} empty="No tasks: no calls to return, no missing contacts." />
          <Section id="quiet" title="Gone quiet" items={a.goneQuiet} empty="Nobody has gone quiet." />
        </>
      )}
    </div>
  );
}
