import { useId } from 'react';
import type { ReactNode } from 'react';
import { ApiError, messageOf } from '../api/errors';

/** A labelled input with its error, named by the API field it maps to. */
export function Field(props: {
  label: string;
  name: string;
  error?: ApiError | null | undefined;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  hint?: string;
  multiline?: boolean;
  rows?: number;
  disabled?: boolean;
}) {
  const id = useId();
  const message = props.error?.field(props.name);
  const describedBy = [message ? `${id}-error` : null, props.hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    disabled: props.disabled,
    placeholder: props.placeholder,
    'aria-invalid': message ? true : undefined,
    'aria-describedby': describedBy,
  };
  return (
    <div className={`field${message ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={props.rows ?? 4} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type={props.type ?? 'text'} autoComplete={props.autoComplete} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.hint && (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {message && (
        <p className="field-error" id={`${id}-error`}>
          {message}
        </p>
      )}
    </div>
  );
}

/** A choice among `options`: `V` is their values' type (an enum of the API, say), and what onChange gets. */
export function Select<V extends string = string>(props: {
  label: string;
  name: string;
  value: V;
  onChange: (v: V) => void;
  options: { value: V; label: string }[];
  error?: ApiError | null | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  const message = props.error?.field(props.name);
  return (
    <div className={`field${message ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value} disabled={props.disabled} aria-invalid={message ? true : undefined} aria-describedby={message ? `${id}-error` : undefined} onChange={(e) => props.onChange(e.target.value as V)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {message && (
        <p className="field-error" id={`${id}-error`}>
          {message}
        </p>
      )}
    </div>
  );
}

/** An error that names no field of the form (or names one the form does not show). */
export function FormError({ error, shown = [] }: { error: unknown; shown?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const named = Object.keys(error.fields);
    if (named.length > 0 && named.every((f) => shown.includes(f))) return null;
  }
  return (
    <p className="form-error" role="alert">
      {messageOf(error)}
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
