import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DateTime } from 'luxon';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { request } from '../api/client';
import { readFragment } from '../api/graphql';
import type { FragmentOf } from '../api/graphql';
import { ApproveFollowUp, CancelFollowUp, FollowUpFields, LeadSummaryQuery, SendFollowUpNow, SnoozeFollowUp } from '../api/operations';
import { CAN_EDIT_TEXT, editFollowUpText, recruiterZone, usePreview } from '../api/preview';
import { useMe } from '../me';
import { channelLabel, ruleLabel, STATUS_LABELS } from '../words';
import { ApiError } from '../api/errors';
import { Badge, Field, FormError } from './ui';

const PENDING = ['planned', 'awaiting_approval'];

function statusTone(status: string): 'neutral' | 'good' | 'warn' | 'bad' | 'info' {
  if (status === 'sent') return 'good';
  if (status === 'awaiting_approval') return 'warn';
  if (status === 'failed' || status === 'skipped' || status === 'unknown') return 'bad';
  if (status === 'cancelled') return 'neutral';
  return 'info';
}

/** Tomorrow 09:00 and next Monday 09:00 in the recruiter's zone. */
export function snoozeTargets(now: Date = new Date(), zone: string = recruiterZone()) {
  const local = DateTime.fromJSDate(now).setZone(zone);
  const tomorrow = local.plus({ days: 1 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  const nextWeek = local.plus({ weeks: 1 }).startOf('week').set({ hour: 9 });
  return { tomorrow: tomorrow.toUTC().toISO() ?? '', nextWeek: nextWeek.toUTC().toISO() ?? '' };
}

function useLead(id: string | null) {
  return useQuery({
    queryKey: ['lead-summary', id],
    enabled: !!id,
    staleTime: 60_000,
    queryFn: async () => (await request(LeadSummaryQuery, { id: id ?? '' })).lead,
  });
}

export function FollowUpCard({ followUp, showCandidate = true }: { followUp: FragmentOf<typeof FollowUpFields>; showCandidate?: boolean }) {
  const me = useMe();
  const f = readFragment(FollowUpFields, followUp);
  const preview = usePreview(followUp, me.tenant.timeZone, me.user?.name);
  const lead = useLead(f.leadId);
  const queryClient = useQueryClient();
  const [snoozing, setSnoozing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [customTime, setCustomTime] = useState('');
  const [draft, setDraft] = useState({ subject: '', body: '' });
  const snoozeId = useId();
  const action = useMutation({
    mutationFn: async (a: { kind: 'approve' } | { kind: 'cancel' } | { kind: 'send' } | { kind: 'snooze'; until: string } | { kind: 'edit'; subject: string; body: string; reset?: boolean }) => {
      if (a.kind === 'approve') await request(ApproveFollowUp, { id: f.id });
      else if (a.kind === 'cancel') await request(CancelFollowUp, { id: f.id, input: { reason: 'Cancelled from the console' } });
      else if (a.kind === 'send') await request(SendFollowUpNow, { id: f.id });
      else if (a.kind === 'edit') await editFollowUpText(f.id, a.reset ? { subject: null, body: null } : { ...(preview?.channel === 'sms' ? {} : { subject: a.subject || null }), body: a.body });
      else await request(SnoozeFollowUp, { id: f.id, input: { until: a.until } });
    },
    onSuccess: async () => {
      setSnoozing(false);
      setEditing(false);
      await queryClient.invalidateQueries();
    },
  });
  const pending = PENDING.includes(f.status);
  const editError = editing && action.error instanceof ApiError ? action.error : null;
  const isTask = f.kind === 'task';
  const who = preview?.recipient.name ?? '…';
  const title = isTask ? (f.reason ?? 'A task for you') : `${ruleLabel(f.rule)} to ${who}`;
  const leadText = lead.data ? `${lead.data.position} at ${lead.data.company}` : null;
  const candidateLink = f.candidateId && showCandidate ? `/candidates/${f.candidateId}` : null;
  const submitCustom = () => {
    const zone = recruiterZone();
    const at = DateTime.fromISO(customTime, { zone });
    if (at.isValid) action.mutate({ kind: 'snooze', until: at.toUTC().toISO() ?? '' });
  };
  return (
    <article className="card followup" aria-label={title}>
      <header className="card-head">
        <h3>{title}</h3>
        <Badge tone={statusTone(f.status)}>{STATUS_LABELS[f.status] ?? f.status}</Badge>
      </header>
      <p className="meta">
        {!isTask && (pending || preview?.channel || f.channel) && <Badge tone="info">{channelLabel(preview?.channel ?? f.channel)}</Badge>}
        {!isTask && pending && preview?.channelReason && <span className="channel-reason">{preview.channelReason}</span>}
        {preview?.edited && <Badge tone="warn">Text edited</Badge>}
        {preview && !isTask && (
          <span>
            {f.status === 'sent' ? 'Went out' : pending || f.status === 'sending' ? 'Goes out' : 'Was due'} <time dateTime={f.dueAt}>{preview.dueLocal.recruiter.text}</time> your time
            {preview.dueLocal.recipient.zone !== preview.dueLocal.recruiter.zone && <> · {preview.dueLocal.recipient.text} for {who.split(' ')[0]}</>}
          </span>
        )}
        {isTask && preview && <span>Due {preview.dueLocal.recruiter.text}</span>}
        {leadText && <span>About: {leadText}</span>}
        {candidateLink && <Link href={candidateLink}>Open candidate</Link>}
      </p>
      {!isTask && preview?.address && (
        <p className="meta">
          To {who} &lt;{preview.address}&gt;
        </p>
      )}
      {!isTask && (
        <div className="preview-text">
          {preview?.subject && <p className="subject">{preview.subject}</p>}
          {preview?.body ? (
            <p className="body">{preview.body}</p>
          ) : pending ? (
            <p className="muted">The text is written from the {ruleLabel(f.rule).toLowerCase()} template when it goes out.</p>
          ) : (
            <p className="muted">Written from the {ruleLabel(f.rule).toLowerCase()} template.</p>
          )}
        </div>
      )}
      {(f.status === 'skipped' || f.status === 'failed' || f.status === 'unknown') && f.reason && (
        <p className="reason">
          <strong>Why:</strong> {f.reason}
        </p>
      )}
      {pending && !isTask && preview?.skipReason && preview.outcome !== 'send' && (
        <p className="reason">
          <strong>If it went out now:</strong> {preview.skipReason}
        </p>
      )}
      {editing && (
        <form
          className="edit-text"
          onSubmit={(e) => {
            e.preventDefault();
            action.mutate({ kind: 'edit', subject: draft.subject, body: draft.body });
          }}
        >
          {preview?.channel !== 'sms' && <Field label="Subject" name="subject" value={draft.subject} onChange={(v) => setDraft({ ...draft, subject: v })} error={editError} />}
          <Field label="Text" name="body" value={draft.body} onChange={(v) => setDraft({ ...draft, body: v })} error={editError} multiline rows={5} />
          <div className="actions">
            <button type="submit" className="primary">
              Save text
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel editing
            </button>
            {preview?.edited && (
              <button type="button" onClick={() => action.mutate({ kind: 'edit', subject: '', body: '', reset: true })}>
                Back to the template
              </button>
            )}
          </div>
        </form>
      )}
      {pending && !editing && (
        <div className="actions">
          {f.status === 'awaiting_approval' && (
            <button type="button" className="primary" onClick={() => action.mutate({ kind: 'approve' })} disabled={action.isPending}>
              Approve
            </button>
          )}
          {!isTask && (
            <button type="button" onClick={() => action.mutate({ kind: 'send' })} disabled={action.isPending}>
              Send now
            </button>
          )}
          <button type="button" aria-expanded={snoozing} aria-controls={snoozeId} onClick={() => setSnoozing(!snoozing)}>
            Snooze
          </button>
          {!isTask && CAN_EDIT_TEXT && (
            <button
              type="button"
              onClick={() => {
                setDraft({ subject: preview?.subject ?? '', body: preview?.body ?? '' });
                setEditing(true);
              }}
            >
              Edit text
            </button>
          )}
          <button type="button" className="danger" onClick={() => action.mutate({ kind: 'cancel' })} disabled={action.isPending}>
            {isTask ? 'Dismiss' : 'Cancel'}
          </button>
        </div>
      )}
      {snoozing && (
        <div className="snooze" id={snoozeId} role="group" aria-label="Snooze until">
          <button type="button" onClick={() => action.mutate({ kind: 'snooze', until: snoozeTargets().tomorrow })}>
            Tomorrow morning
          </button>
          <button type="button" onClick={() => action.mutate({ kind: 'snooze', until: snoozeTargets().nextWeek })}>
            Next week
          </button>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              submitCustom();
            }}
          >
            <label>
              At a time ({recruiterZone()})
              <input type="datetime-local" value={customTime} onChange={(e) => setCustomTime(e.target.value)} required />
            </label>
            <button type="submit">Snooze to this time</button>
          </form>
        </div>
      )}
      <FormError error={action.error} shown={editing ? ['subject', 'body'] : []} />
    </article>
  );
}
