import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../api/errors';
import { acceptInvite, firmsToChoose, signIn, signUp } from '../api/session';
import { recruiterZone } from '../api/preview';
import { Field, FormError } from '../components/ui';

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-card">
        <p className="brand">Touchpoint</p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [, navigate] = useLocation();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
      navigate('/today');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, onSubmit, apiError: error instanceof ApiError ? error : null };
}

export function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [firmId, setFirmId] = useState('');
  const s = useSubmit(() => signIn(email, password, firmId || undefined));
  // The same email and password open accounts in several firms: say which.
  const firms = firmsToChoose(s.error);
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={s.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" value={email} onChange={setEmail} error={s.apiError} required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} error={s.apiError} required />
        {firms && (
          <fieldset>
            <legend>This email signs in to several firms. Which one?</legend>
            {firms.map((f) => (
              <label key={f.id}>
                <input type="radio" name="firmId" value={f.id} checked={firmId === f.id} onChange={() => setFirmId(f.id)} /> {f.name}
              </label>
            ))}
          </fieldset>
        )}
        <FormError error={firms ? null : s.error} shown={['email', 'password', 'firmId']} />
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New to Touchpoint? <Link href="/sign-up">Create your firm's account</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const [firmName, setFirm] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [timeZone, setZone] = useState(recruiterZone());
  const s = useSubmit(() => signUp({ firmName, name, email, password, timeZone }));
  return (
    <AuthFrame title="Create your firm's account">
      <form onSubmit={s.onSubmit} noValidate>
        <Field label="Firm name" name="firmName" value={firmName} onChange={setFirm} error={s.apiError} autoComplete="organization" required />
        <Field label="Your name" name="name" value={name} onChange={setName} error={s.apiError} autoComplete="name" required />
        <Field label="Work email" name="email" type="email" value={email} onChange={setEmail} error={s.apiError} autoComplete="email" required />
        <Field label="Password" name="password" type="password" value={password} onChange={setPassword} error={s.apiError} autoComplete="new-password" hint="At least 12 characters; a few words make a good one." required />
        <Field label="Firm time zone" name="timeZone" value={timeZone} onChange={setZone} error={s.apiError} hint="Your day and sending times are planned in it, e.g. America/New_York." />
        <FormError error={s.error} shown={['firmName', 'name', 'email', 'password', 'timeZone']} />
        <button type="submit" className="primary" disabled={s.busy}>
          {s.busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </AuthFrame>
  );
}

export function AcceptInvitePage() {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [inviteToken, setToken] = useState(token);
  const [password, setPassword] = useState('');
  const s = useSubmit(() => acceptInvite(inviteToken, password));
  return (
    <AuthFrame title="Join your firm">
      <form onSubmit={s.onSubmit} noValidate>
        <Field label="Invite code" name="inviteToken" value={inviteToken} onChange={setToken} error={s.apiError} required />
        <Field label="Choose a password" name="password" type="password" value={password} onChange={setPassword} error={s.apiError} autoComplete="new-password" required />
        <FormError error={s.error} shown={['inviteToken', 'password']} />
        <button type="submit" className="primary" disabled={s.busy}>
          Join
        </button>
      </form>
    </AuthFrame>
  );
}
