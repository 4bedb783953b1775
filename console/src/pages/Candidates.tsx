import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import type { Enum } from '../api/graphql';
import { CandidatesQuery, CreateCandidate } from '../api/operations';
import { Empty, Field, FormError, Loading, Select } from '../components/ui';
import { LEAD_STATUS_LABELS } from '../words';

export function CandidatesPage() {
  const search = useSearch();
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(new URLSearchParams(search).get('new') === '1');
  const list = useQuery({ queryKey: ['candidates', q], queryFn: () => request(CandidatesQuery, { q: q || null, first: 50 }) });
  return (
    <div className="page candidates">
      <header className="page-head">
        <h1>Candidates</h1>
        <button type="button" className="primary" onClick={() => setAdding(true)} aria-expanded={adding}>
          Add a candidate
        </button>
      </header>
      {adding && <NewCandidate onDone={() => setAdding(false)} />}
      <div className="field search">
        <label htmlFor="candidate-search">Search by name or email</label>
        <input id="candidate-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {list.isPending && <Loading what="candidates" />}
      {list.error && <FormError error={list.error} />}
      {list.data && list.data.candidates.nodes.length === 0 && (
        <Empty title={q ? 'No candidate matches.' : 'No candidates yet.'}>{!q && <p>Add your first candidate: a name and a phone number or email address are enough.</p>}</Empty>
      )}
      <ul className="candidate-list">
        {list.data?.candidates.nodes.map((c) => (
          <li key={c.id} className="card">
            <Link href={`/candidates/${c.id}`} className="candidate-link">
              {c.name}
            </Link>
            <span className="muted"> {[c.email, c.phone].filter(Boolean).join(' · ')}</span>
            {c.leads.length > 0 && (
              <p className="meta">
                {c.leads.map((l) => `${l.position} at ${l.company} (${LEAD_STATUS_LABELS[l.status] ?? l.status})`).join('; ')}
              </p>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NewCandidate({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState({ name: '', email: '', phone: '', timeZone: '', preferredChannel: '' as Enum<'Channel'> | '' });
  const set = (k: 'name' | 'email' | 'phone' | 'timeZone') => (v: string) => setForm({ ...form, [k]: v });
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = useMutation({
    mutationFn: () =>
      request(CreateCandidate, {
        input: {
          name: form.name,
          ...(form.email ? { email: form.email } : {}),
          ...(form.phone ? { phone: form.phone } : {}),
          ...(form.timeZone ? { timeZone: form.timeZone } : {}),
          ...(form.preferredChannel ? { preferredChannel: form.preferredChannel } : {}),
        },
      }),
    onSuccess: async (data) => {
      await queryClient.invalidateQueries({ queryKey: ['candidates'] });
      onDone();
      navigate(`/candidates/${data.createCandidate.id}`);
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <form
      className="card form"
      aria-label="New candidate"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
      noValidate
    >
      <h2>New candidate</h2>
      <Field label="Name" name="name" value={form.name} onChange={set('name')} error={err} required />
      <Field label="Email" name="email" type="email" value={form.email} onChange={set('email')} error={err} />
      <Field label="Mobile phone" name="phone" type="tel" value={form.phone} onChange={set('phone')} error={err} hint="With the country code, e.g. +1 415 555 0123." />
      <Field label="Time zone" name="timeZone" value={form.timeZone} onChange={set('timeZone')} error={err} hint="Optional, e.g. America/Chicago; the firm's zone otherwise." />
      <Select
        label="Prefers"
        name="preferredChannel"
        value={form.preferredChannel}
        onChange={(v) => setForm({ ...form, preferredChannel: v })}
        error={err}
        options={[
          { value: '', label: 'No preference' },
          { value: 'sms', label: 'SMS' },
          { value: 'email', label: 'Email' },
        ]}
      />
      <FormError error={create.error} shown={['name', 'email', 'phone', 'timeZone', 'preferredChannel']} />
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Add candidate
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
