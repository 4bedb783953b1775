import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import type { Enum } from '../api/graphql';
import { ApiKeysQuery, CandidatesQuery, CreateApiKey, InviteUser, PolicyQuery, PreviewTemplate, RevokeApiKey, SenderSettingsQuery, UpdatePolicy, UpdateSenderSettings, UsersQuery } from '../api/operations';
import { Badge, Field, FormError, Loading, Select } from '../components/ui';
import { RULE_DESCRIPTIONS, ruleLabel } from '../words';

interface Template {
  subject?: string;
  body: string;
}
interface RulePolicy {
  enabled: boolean;
  requiresApproval: boolean;
  maxNudges?: number;
  timing: Record<string, string>;
  templates: { email: Partial<Record<Audience, Template>>; sms: Partial<Record<Audience, Template>> };
}
/** followUpPolicy (JSON): per rule of the playbook. */
type Policy = Partial<Record<Rule, RulePolicy>>;
type Rule = Enum<'Rule'>;
type Audience = Enum<'Audience'>;
type Channel = Enum<'Channel'>;

const TIMING_LABELS: Record<string, string> = {
  delay: 'Wait after the trigger',
  before: 'How long before the interview',
  minLeadTime: 'Least notice worth sending',
  after: 'Wait after',
  deadline: 'No later than',
  quietPeriod: 'Quiet for',
};

export function SettingsPage() {
  const tabs = [
    { id: 'rules', label: 'Follow-up rules' },
    { id: 'team', label: 'Team' },
    { id: 'keys', label: 'API keys' },
    { id: 'twilio', label: 'Twilio' },
  ] as const;
  const [tab, setTab] = useState<(typeof tabs)[number]['id']>('rules');
  return (
    <div className="page settings">
      <header className="page-head">
        <h1>Settings</h1>
      </header>
      <div role="tablist" aria-label="Settings" className="tabs">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'rules' && <Rules />}
        {tab === 'team' && <Team />}
        {tab === 'keys' && <ApiKeys />}
        {tab === 'twilio' && <Twilio />}
      </div>
    </div>
  );
}

function Rules() {
  const q = useQuery({ queryKey: ['policy'], queryFn: () => request(PolicyQuery) });
  if (q.isPending) return <Loading what="the rules" />;
  if (q.error) return <FormError error={q.error} />;
  const policy = q.data.followUpPolicy as Policy;
  return (
    <div>
      <p className="muted">Each rule plans follow-ups as your pipeline moves. Times are ISO-8601 durations: P7D is 7 days, PT2H is 2 hours.</p>
      {(Object.entries(policy) as [Rule, RulePolicy][]).map(([rule, p]) => (
        <RuleCard key={rule} rule={rule} policy={p} />
      ))}
    </div>
  );
}

function RuleCard({ rule, policy }: { rule: Rule; policy: RulePolicy }) {
  const queryClient = useQueryClient();
  const [timing, setTiming] = useState(policy.timing);
  const [editing, setEditing] = useState(false);
  // The switches answer at once; a refusal puts them back.
  const [switches, setSwitches] = useState({ enabled: policy.enabled, requiresApproval: policy.requiresApproval });
  const save = useMutation({
    mutationFn: (patch: Partial<RulePolicy>) => request(UpdatePolicy, { patch: { [rule]: patch } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
    onError: () => setSwitches({ enabled: policy.enabled, requiresApproval: policy.requiresApproval }),
  });
  const flip = (key: 'enabled' | 'requiresApproval', value: boolean) => {
    setSwitches({ ...switches, [key]: value });
    save.mutate({ [key]: value });
  };
  const err = save.error instanceof ApiError ? save.error : null;
  const named = (f: string) => `${rule}.${f}`;
  return (
    <section className="card rule" aria-labelledby={`rule-${rule}`}>
      <header className="card-head">
        <h2 id={`rule-${rule}`}>{ruleLabel(rule)}</h2>
        <Badge tone={switches.enabled ? 'good' : 'neutral'}>{switches.enabled ? 'On' : 'Off'}</Badge>
      </header>
      <p className="muted">{RULE_DESCRIPTIONS[rule]}</p>
      <div className="toggles">
        <label className="check">
          <input type="checkbox" checked={switches.enabled} onChange={(e) => flip('enabled', e.target.checked)} /> On
        </label>
        <label className="check">
          <input type="checkbox" checked={switches.requiresApproval} onChange={(e) => flip('requiresApproval', e.target.checked)} /> Needs approval before it goes out
        </label>
      </div>
      {Object.keys(timing).length > 0 && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ timing });
          }}
        >
          {Object.entries(timing).map(([k, v]) => (
            <Field key={k} label={TIMING_LABELS[k] ?? k} name={named(`timing.${k}`)} value={v} onChange={(nv) => setTiming({ ...timing, [k]: nv })} error={err} />
          ))}
          <button type="submit">Save timing</button>
        </form>
      )}
      <FormError error={save.error} shown={Object.keys(timing).map((k) => named(`timing.${k}`))} />
      <button type="button" className="link-button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
        {editing ? 'Close templates' : 'Edit templates'}
      </button>
      {editing && <Templates rule={rule} policy={policy} />}
    </section>
  );
}

function Templates({ rule, policy }: { rule: Rule; policy: RulePolicy }) {
  const channels = (['email', 'sms'] as const).filter((ch) => Object.keys(policy.templates[ch] ?? {}).length > 0);
  const [channel, setChannel] = useState<Channel>(channels[0] ?? 'email');
  const audiences = Object.keys(policy.templates[channel] ?? {}) as Audience[];
  const [audience, setAudience] = useState<Audience>(audiences[0] ?? 'contact');
  const current = policy.templates[channel]?.[audience] ?? { body: '' };
  return (
    <div className="templates">
      <div className="inline">
        <Select label="Channel" name="channel" value={channel} onChange={setChannel} options={channels.map((c) => ({ value: c, label: c === 'sms' ? 'SMS' : 'Email' }))} />
        <Select label="To" name="audience" value={audience} onChange={setAudience} options={audiences.map((a) => ({ value: a, label: a === 'candidate' ? 'The candidate' : 'The contact' }))} />
      </div>
      <TemplateEditor key={`${channel}.${audience}`} rule={rule} channel={channel} audience={audience} template={current} />
    </div>
  );
}

/** The draft, settled: previews are asked for once typing pauses. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

function TemplateEditor({ rule, channel, audience, template }: { rule: Rule; channel: Channel; audience: Audience; template: Template }) {
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState(template.subject ?? '');
  const [body, setBody] = useState(template.body);
  const draft = useSettled({ subject, body }, 250);
  const people = useQuery({ queryKey: ['preview-candidates'], queryFn: () => request(CandidatesQuery, { first: 50 }), staleTime: 60_000 });
  const [chosen, setChosen] = useState<string | null>(null);
  const candidateId = chosen ?? people.data?.candidates.nodes[0]?.id ?? null;
  // The live preview: the API renders the draft from a real candidate of the firm, through the
  // composer that sends (previewTemplate); what the data lacks is sampled, and said so.
  const preview = useQuery({
    queryKey: ['template-preview', rule, channel, audience, draft, candidateId],
    enabled: !people.isPending,
    queryFn: () =>
      request(PreviewTemplate, {
        input: {
          rule,
          channel,
          audience,
          ...(candidateId ? { candidateId } : {}),
          template: { body: draft.body, ...(channel === 'email' ? { subject: draft.subject } : {}) },
        },
      }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const save = useMutation({
    mutationFn: () => request(UpdatePolicy, { patch: { [rule]: { templates: { [channel]: { [audience]: channel === 'email' ? { subject, body } : { body } } } } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
  });
  const base = `${rule}.templates.${channel}.${audience}`;
  // Errors of the save name the policy's fields; those of the preview name the draft's.
  const saveErr = save.error instanceof ApiError ? save.error : null;
  const previewErr = preview.error instanceof ApiError ? preview.error : null;
  const err = saveErr ?? (previewErr ? new ApiError(previewErr.message, previewErr.code, previewErr.status, renameDraftFields(previewErr.fields, base)) : null);
  const p = preview.data?.previewTemplate;
  return (
    <form
      className="template-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="template-fields">
        {channel === 'email' && <Field label="Subject" name={`${base}.subject`} value={subject} onChange={setSubject} error={err} />}
        <Field label="Text" name={`${base}.body`} value={body} onChange={setBody} error={err} multiline rows={6} hint="Use {{recipientFirstName}}, {{candidateName}}, {{company}}, {{position}}, {{recruiterName}}, {{firmName}}…" />
        <FormError error={save.error} shown={[`${base}.subject`, `${base}.body`]} />
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            Save template
          </button>
          {save.isSuccess && <span role="status">Saved.</span>}
        </div>
      </div>
      <div className="live-preview" aria-live="polite" aria-label="Live preview">
        {people.data && people.data.candidates.nodes.length > 0 ? (
          <Select
            label="Preview with"
            name="candidateId"
            value={candidateId ?? ''}
            onChange={setChosen}
            options={people.data.candidates.nodes.map((c) => ({ value: c.id, label: c.name }))}
          />
        ) : (
          <p className="muted">Add a candidate to preview with real data; sample values meanwhile.</p>
        )}
        {p ? (
          <>
            {channel === 'email' && p.subject && <p className="subject">{p.subject}</p>}
            <p className="body" data-testid="template-preview">
              {p.body}
            </p>
            {p.segments !== null && p.segments !== undefined && <p className="muted">{p.segments} SMS segment{p.segments === 1 ? '' : 's'}</p>}
            {p.sampled.length > 0 && <p className="muted">Sample values (your data has none yet): {p.sampled.join(', ')}</p>}
          </>
        ) : (
          !previewErr && <Loading what="the preview" />
        )}
      </div>
    </form>
  );
}

/** previewTemplate names `template.body`; the form's fields are named like the policy's. */
function renameDraftFields(fields: Readonly<Record<string, string>>, base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const m = /(subject|body)$/.exec(k);
    out[m ? `${base}.${m[1]}` : k] = v;
  }
  return out;
}

function Team() {
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => request(UsersQuery) });
  const [form, setForm] = useState<{ name: string; email: string; role: Enum<'UserRole'> }>({ name: '', email: '', role: 'recruiter' });
  const invite = useMutation({
    mutationFn: () => request(InviteUser, { input: form }),
    onSuccess: async () => {
      setForm({ name: '', email: '', role: 'recruiter' });
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const err = invite.error instanceof ApiError ? invite.error : null;
  const link = invite.data ? `${window.location.origin}/accept-invite?token=${encodeURIComponent(invite.data.inviteUser.inviteToken)}` : null;
  return (
    <div>
      {users.isPending && <Loading what="your team" />}
      <ul className="team">
        {users.data?.users.map((u) => (
          <li key={u.id}>
            {u.name} · {u.email} · <Badge>{u.role}</Badge> {u.status !== 'active' && <Badge tone="warn">{u.status}</Badge>}
          </li>
        ))}
      </ul>
      <form
        className="card form"
        aria-label="Invite a recruiter"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
        noValidate
      >
        <h2>Invite a recruiter</h2>
        <Field label="Name" name="name" value={form.name} onChange={(v) => setForm({ ...form, name: v })} error={err} required />
        <Field label="Email" name="email" type="email" value={form.email} onChange={(v) => setForm({ ...form, email: v })} error={err} required />
        <Select
          label="Role"
          name="role"
          value={form.role}
          onChange={(v) => setForm({ ...form, role: v })}
          error={err}
          options={[
            { value: 'recruiter', label: 'Recruiter' },
            { value: 'admin', label: 'Admin' },
          ]}
        />
        <FormError error={invite.error} shown={['name', 'email', 'role']} />
        <button type="submit" className="primary" disabled={invite.isPending}>
          Invite
        </button>
        {link && (
          <div className="secret" role="status">
            <p>Send {invite.data?.inviteUser.user.name} this link to join (shown once):</p>
            <code>{link}</code>
          </div>
        )}
      </form>
    </div>
  );
}

const KEY_SCOPES = ['candidates:read', 'candidates:write', 'contacts:read', 'contacts:write', 'leads:read', 'leads:write', 'interviews:read', 'interviews:write', 'follow_ups:read', 'messages:read', 'webhooks:read', 'webhooks:write'];

function ApiKeys() {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => request(ApiKeysQuery) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['candidates:read']);
  const create = useMutation({
    mutationFn: () => request(CreateApiKey, { input: { name, scopes } }),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => request(RevokeApiKey, { id }), onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }) });
  const err = create.error instanceof ApiError ? create.error : null;
  return (
    <div>
      <ul className="keys">
        {keys.data?.apiKeys.map((k) => (
          <li key={k.id}>
            <strong>{k.name}</strong> <code>{k.prefix}…</code> · {k.scopes.join(', ')} {k.revokedAt ? <Badge tone="bad">revoked</Badge> : (
              <button type="button" className="danger" onClick={() => revoke.mutate(k.id)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="card form"
        aria-label="Create an API key"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
        noValidate
      >
        <h2>Create an API key</h2>
        <Field label="Name" name="name" value={name} onChange={setName} error={err} hint="What uses it, e.g. Bullhorn sync." required />
        <fieldset>
          <legend>Scopes</legend>
          <div className="scopes">
            {KEY_SCOPES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {s}
              </label>
            ))}
          </div>
          {err?.field('scopes') && <p className="field-error">{err.field('scopes')}</p>}
        </fieldset>
        <FormError error={create.error} shown={['name', 'scopes']} />
        <button type="submit" className="primary" disabled={create.isPending}>
          Create key
        </button>
        {create.data && (
          <div className="secret" role="status">
            <p>Copy the key now: it is shown once and stored only as a hash.</p>
            <code>{create.data.createApiKey.secret}</code>
          </div>
        )}
      </form>
    </div>
  );
}

function Twilio() {
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: ['senders'], queryFn: () => request(SenderSettingsQuery) });
  const [form, setForm] = useState({ twilioAccountSid: '', twilioAuthToken: '', twilioFrom: '' });
  const save = useMutation({
    mutationFn: () =>
      request(UpdateSenderSettings, {
        input: {
          ...(form.twilioAccountSid ? { twilioAccountSid: form.twilioAccountSid } : {}),
          ...(form.twilioAuthToken ? { twilioAuthToken: form.twilioAuthToken } : {}),
          ...(form.twilioFrom ? { twilioFrom: form.twilioFrom } : {}),
        },
      }),
    onSuccess: async () => {
      setForm({ ...form, twilioAuthToken: '' });
      await queryClient.invalidateQueries({ queryKey: ['senders'] });
    },
  });
  if (q.isPending) return <Loading what="sender settings" />;
  if (q.error) return <FormError error={q.error} />;
  const s = q.data.senderSettings;
  const err = save.error instanceof ApiError ? save.error : null;
  return (
    <div>
      <p>
        SMS goes out through: <strong>{s.smsSender}</strong>
        {s.twilioAccountSid && (
          <>
            {' '}
            (account {s.twilioAccountSid}, {s.twilioFrom ?? s.twilioMessagingServiceSid}, auth token {s.twilioAuthTokenSet ? `ending ${s.twilioAuthTokenLast4}` : 'not set'})
          </>
        )}
      </p>
      <form
        className="card form"
        aria-label="Connect Twilio"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        noValidate
      >
        <h2>Connect Twilio</h2>
        <Field label="Account SID" name="twilioAccountSid" value={form.twilioAccountSid} onChange={(v) => setForm({ ...form, twilioAccountSid: v })} error={err} placeholder={s.twilioAccountSid ?? 'AC…'} />
        <Field label="Auth token" name="twilioAuthToken" type="password" value={form.twilioAuthToken} onChange={(v) => setForm({ ...form, twilioAuthToken: v })} error={err} hint="Stored encrypted; never shown again." />
        <Field label="From number" name="twilioFrom" type="tel" value={form.twilioFrom} onChange={(v) => setForm({ ...form, twilioFrom: v })} error={err} placeholder={s.twilioFrom ?? '+14155550100'} />
        <FormError error={save.error} shown={['twilioAccountSid', 'twilioAuthToken', 'twilioFrom']} />
        <button type="submit" className="primary" disabled={save.isPending}>
          Save
        </button>
      </form>
      <h2>Paste these into Twilio</h2>
      <p>In the Twilio console, under your number (or messaging service) → “A message comes in”, HTTP POST:</p>
      <p>
        <code className="url">{s.twilioInboundUrl}</code>
      </p>
      <p className="muted">Status callbacks are set on each message; nothing to paste. Inbound email goes to {s.emailInboundUrl}.</p>
    </div>
  );
}
