import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import type { Enum, ResultOf } from '../api/graphql';
import { readFragment } from '../api/graphql';
import { CancelInterview, CandidateQuery, ChangeLeadStatus, CreateContact, CreateLead, FollowUpFields, RescheduleInterview, ScheduleInterview } from '../api/operations';
import { formatInZone, recruiterZone } from '../api/preview';
import { FollowUpCard } from '../components/FollowUpCard';
import { Badge, Empty, Field, FormError, Loading, Select } from '../components/ui';
import { LEAD_STATUS_LABELS } from '../words';

type CandidateData = ResultOf<typeof CandidateQuery>['candidate'];
type Lead = CandidateData['leads'][number];

export function CandidatePage({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['candidate', id], queryFn: () => request(CandidateQuery, { id }) });
  if (q.isPending) return <Loading what="the candidate" />;
  if (q.error) return <FormError error={q.error} />;
  const c = q.data.candidate;
  const planned = q.data.followUps.nodes
    .filter((f) => ['planned', 'awaiting_approval', 'skipped', 'failed'].includes(readFragment(FollowUpFields, f).status))
    .sort((x, y) => readFragment(FollowUpFields, x).dueAt.localeCompare(readFragment(FollowUpFields, y).dueAt));
  return (
    <div className="page candidate">
      <header className="page-head">
        <h1>{c.name}</h1>
        <p className="muted">
          {[c.email, c.phone, c.timeZone].filter(Boolean).join(' · ')} · <Badge>{c.status}</Badge>
        </p>
      </header>
      <section aria-labelledby="pipeline" className="section">
        <h2 id="pipeline">Pipeline</h2>
        {c.leads.length === 0 && <Empty title="No leads yet.">Add the job this candidate is going for: the company and the position.</Empty>}
        <ul className="pipeline">
          {c.leads.map((l) => (
            <LeadCard key={l.id} lead={l} candidateId={c.id} />
          ))}
        </ul>
        <NewLead candidateId={c.id} />
      </section>
      <section aria-labelledby="planned" className="section">
        <h2 id="planned">Planned follow-ups</h2>
        {planned.length === 0 ? (
          <p className="muted">Nothing planned. Follow-ups appear here when a lead moves (applied, offer) or an interview is scheduled.</p>
        ) : (
          planned.map((f) => <FollowUpCard key={readFragment(FollowUpFields, f).id} followUp={f} showCandidate={false} />)
        )}
      </section>
      <section aria-labelledby="references" className="section">
        <h2 id="references">References</h2>
        {c.references.length === 0 ? (
          <p className="muted">No references on file.</p>
        ) : (
          <ul>
            {c.references.map((r) => (
              <li key={r.id}>
                {r.contact?.name ?? 'Unknown contact'} ({r.relationship}){r.providedTo.length > 0 ? ` · provided to ${r.providedTo.length} lead(s)` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="timeline" className="section">
        <h2 id="timeline">Timeline</h2>
        {c.timeline.length === 0 ? (
          <p className="muted">Nothing has happened yet.</p>
        ) : (
          <ol className="timeline">
            {c.timeline.map((t, i) => (
              <li key={i}>
                <time dateTime={t.at}>{formatInZone(t.at, recruiterZone())}</time> {t.summary}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function LeadCard({ lead, candidateId }: { lead: Lead; candidateId: string }) {
  const queryClient = useQueryClient();
  const [next, setNext] = useState<Enum<'LeadStatus'> | undefined>(lead.allowedTransitions[0]);
  const move = useMutation({
    mutationFn: (status: Enum<'LeadStatus'>) => request(ChangeLeadStatus, { id: lead.id, input: { status } }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  return (
    <li className="card lead">
      <header className="card-head">
        <h3>
          {lead.position} at {lead.company}
        </h3>
        <Badge tone="info">{LEAD_STATUS_LABELS[lead.status] ?? lead.status}</Badge>
      </header>
      <p className="meta">
        Employer contact: {lead.employerContact ? `${lead.employerContact.name}${lead.employerContact.email ? ` <${lead.employerContact.email}>` : ''}` : 'none yet'}
        {lead.referrer && <> · referred by {lead.referrer.name}</>}
      </p>
      {lead.allowedTransitions.length > 0 && next !== undefined && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            move.mutate(next);
          }}
        >
          <Select
            label={`Move ${lead.company} lead to`}
            name="status"
            value={next}
            onChange={setNext}
            error={move.error instanceof ApiError ? move.error : null}
            options={lead.allowedTransitions.map((s) => ({ value: s, label: LEAD_STATUS_LABELS[s] ?? s }))}
          />
          <button type="submit" disabled={move.isPending}>
            Move
          </button>
        </form>
      )}
      <FormError error={move.error} shown={['status']} />
      <Interviews lead={lead} candidateId={candidateId} />
    </li>
  );
}

function toUtc(local: string): string {
  const at = DateTime.fromISO(local, { zone: recruiterZone() });
  return at.isValid ? (at.toUTC().toISO() ?? '') : local;
}

function Interviews({ lead }: { lead: Lead; candidateId: string }) {
  const queryClient = useQueryClient();
  const [when, setWhen] = useState('');
  const [format, setFormat] = useState<Enum<'InterviewFormat'>>('video');
  const [duration, setDuration] = useState('45');
  const [rescheduling, setRescheduling] = useState<string | null>(null);
  const [newWhen, setNewWhen] = useState('');
  const done = () => queryClient.invalidateQueries();
  const schedule = useMutation({
    mutationFn: () => request(ScheduleInterview, { input: { leadId: lead.id, startsAt: toUtc(when), durationMinutes: Number(duration), format } }),
    onSuccess: async () => {
      setWhen('');
      await done();
    },
  });
  const reschedule = useMutation({
    mutationFn: (id: string) => request(RescheduleInterview, { id, input: { startsAt: toUtc(newWhen) } }),
    onSuccess: async () => {
      setRescheduling(null);
      await done();
    },
  });
  const cancel = useMutation({ mutationFn: (id: string) => request(CancelInterview, { id, input: { reason: 'Cancelled from the console' } }), onSuccess: done });
  const open = ['applied', 'interviewing', 'offer', 'identified'].includes(lead.status);
  const err = schedule.error instanceof ApiError ? schedule.error : null;
  return (
    <div className="interviews">
      <h4>Interviews</h4>
      {lead.interviews.length === 0 && <p className="muted">None scheduled.</p>}
      <ul>
        {lead.interviews.map((iv) => (
          <li key={iv.id}>
            {formatInZone(iv.startsAt, recruiterZone())} · {iv.format.replace('_', ' ')} · {iv.durationMinutes} min · <Badge>{iv.status}</Badge>
            {iv.interviewers.length > 0 && <> · with {iv.interviewers.map((p) => p.name).join(', ')}</>}
            {['scheduled', 'confirmed'].includes(iv.status) && (
              <span className="actions">
                <button type="button" onClick={() => setRescheduling(rescheduling === iv.id ? null : iv.id)}>
                  Reschedule
                </button>
                <button type="button" className="danger" onClick={() => cancel.mutate(iv.id)}>
                  Cancel interview
                </button>
              </span>
            )}
            {rescheduling === iv.id && (
              <form
                className="inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  reschedule.mutate(iv.id);
                }}
              >
                <Field label={`New time (${recruiterZone()})`} name="startsAt" type="datetime-local" value={newWhen} onChange={setNewWhen} error={reschedule.error instanceof ApiError ? reschedule.error : null} required />
                <button type="submit">Move interview</button>
                <FormError error={reschedule.error} shown={['startsAt']} />
              </form>
            )}
          </li>
        ))}
      </ul>
      <FormError error={cancel.error} />
      {open && (
        <form
          className="inline schedule"
          aria-label={`Schedule an interview for ${lead.company}`}
          onSubmit={(e) => {
            e.preventDefault();
            schedule.mutate();
          }}
        >
          <Field label={`Interview time (${recruiterZone()})`} name="startsAt" type="datetime-local" value={when} onChange={setWhen} error={err} required />
          <Field label="Minutes" name="durationMinutes" type="number" value={duration} onChange={setDuration} error={err} />
          <Select
            label="Format"
            name="format"
            value={format}
            onChange={setFormat}
            error={err}
            options={[
              { value: 'video', label: 'Video' },
              { value: 'phone', label: 'Phone' },
              { value: 'in_person', label: 'In person' },
            ]}
          />
          <button type="submit" disabled={schedule.isPending}>
            Schedule interview
          </button>
          <FormError error={schedule.error} shown={['startsAt', 'durationMinutes', 'format']} />
        </form>
      )}
    </div>
  );
}

function NewLead({ candidateId }: { candidateId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ company: '', position: '', contactName: '', contactEmail: '', contactPhone: '' });
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const create = useMutation({
    mutationFn: async () => {
      let employerContactId: string | undefined;
      if (form.contactName.trim()) {
        try {
          const contact = await request(CreateContact, {
            input: {
              name: form.contactName,
              company: form.company || null,
              roles: ['employer_contact'],
              ...(form.contactEmail ? { email: form.contactEmail } : {}),
              ...(form.contactPhone ? { phone: form.contactPhone } : {}),
            },
          });
          employerContactId = contact.createContact.id;
        } catch (err) {
          // The contact's fields are named differently in this form.
          if (err instanceof ApiError) {
            const renamed: Record<string, string> = {};
            for (const [k, v] of Object.entries(err.fields)) renamed[k === 'name' ? 'contactName' : k === 'email' ? 'contactEmail' : k === 'phone' ? 'contactPhone' : k] = v;
            throw new ApiError(err.message, err.code, err.status, renamed);
          }
          throw err;
        }
      }
      return request(CreateLead, { input: { candidateId, company: form.company, position: form.position, ...(employerContactId ? { employerContactId } : {}) } });
    },
    onSuccess: async () => {
      setForm({ company: '', position: '', contactName: '', contactEmail: '', contactPhone: '' });
      setOpen(false);
      await queryClient.invalidateQueries();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Add a lead
      </button>
    );
  }
  return (
    <form
      className="card form"
      aria-label="New lead"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
      noValidate
    >
      <h3>New lead</h3>
      <Field label="Company" name="company" value={form.company} onChange={set('company')} error={err} required />
      <Field label="Position" name="position" value={form.position} onChange={set('position')} error={err} required />
      <fieldset>
        <legend>Employer contact (who gets the follow-ups)</legend>
        <Field label="Contact name" name="contactName" value={form.contactName} onChange={set('contactName')} error={err} />
        <Field label="Contact email" name="contactEmail" type="email" value={form.contactEmail} onChange={set('contactEmail')} error={err} />
        <Field label="Contact phone" name="contactPhone" type="tel" value={form.contactPhone} onChange={set('contactPhone')} error={err} />
      </fieldset>
      <FormError error={create.error} shown={['company', 'position', 'contactName', 'contactEmail', 'contactPhone']} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Add lead
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
