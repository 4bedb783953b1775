import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'wouter';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import type { Enum } from '../api/graphql';
import { ConversationQuery, ConversationsQuery, MarkHandled, SendMessage } from '../api/operations';
import { formatInZone, recruiterZone } from '../api/preview';
import { FollowUpCard } from '../components/FollowUpCard';
import { Badge, Empty, FormError, Loading } from '../components/ui';
import { ago, channelLabel, ruleLabel } from '../words';

/** New inbound messages appear without a reload: the inbox and the open thread poll. */
const POLL_MS = 2_000;

export function RepliesPage({ selected }: { selected?: { type: Enum<'PersonType'>; id: string } }) {
  const list = useQuery({ queryKey: ['conversations'], queryFn: () => request(ConversationsQuery, { first: 50 }), refetchInterval: POLL_MS });
  return (
    <div className={`page replies${selected ? ' has-selection' : ''}`}>
      <header className="page-head">
        <h1>Replies</h1>
      </header>
      <div className="inbox">
        <section className="conversation-list" aria-label="Conversations">
          {list.isPending && <Loading what="conversations" />}
          {list.error && <FormError error={list.error} />}
          {list.data && list.data.conversations.nodes.length === 0 && (
            <Empty title="No conversations yet.">
              <p>When a candidate or contact texts or emails you back, their reply shows up here, with everything Touchpoint sent them, in one thread.</p>
            </Empty>
          )}
          <ul>
            {list.data?.conversations.nodes.map((c) => {
              const href = `/replies/${c.person.type}/${c.person.id}`;
              const isSelected = selected?.id === c.person.id;
              return (
                <li key={c.person.id} className={isSelected ? 'selected' : undefined}>
                  <Link href={href} aria-current={isSelected ? 'true' : undefined} className="conversation-link">
                    <span className="conversation-name">
                      {c.person.name}
                      {c.openReplies > 0 && (
                        <Badge tone="warn">
                          {c.openReplies} unanswered
                        </Badge>
                      )}
                    </span>
                    <span className="conversation-last">
                      {c.lastMessage.direction === 'in' ? '' : c.lastMessage.rule && c.lastMessage.rule !== 'one_off' ? 'Automated: ' : 'You: '}
                      {c.lastMessage.body ?? c.lastMessage.subject ?? ''}
                    </span>
                    <span className="conversation-when">
                      {channelLabel(c.lastMessage.channel)} · {ago(c.lastMessageAt)}
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </section>
        <section className="thread-pane" aria-label="Conversation">
          {selected ? <Thread key={`${selected.type}/${selected.id}`} type={selected.type} id={selected.id} /> : <p className="muted pick">Choose a conversation to read and answer it.</p>}
        </section>
      </div>
    </div>
  );
}

function Thread({ type, id }: { type: Enum<'PersonType'>; id: string }) {
  const conversation = useQuery({
    queryKey: ['conversation', type, id],
    queryFn: () => request(ConversationQuery, { personType: type, personId: id }),
    refetchInterval: POLL_MS,
  });
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const boxId = useId();
  const send = useMutation({
    mutationFn: async () => {
      const c = conversation.data?.conversation;
      if (!c) return;
      await request(SendMessage, {
        input: {
          ...(type === 'candidate' ? { candidateId: id } : { contactId: id }),
          text,
          ...(c.reply.channel === 'email' && subject ? { subject } : {}),
        },
      });
    },
    onSuccess: async () => {
      setText('');
      setSubject('');
      await queryClient.invalidateQueries();
    },
  });
  const handled = useMutation({
    mutationFn: async (messageId: string) => request(MarkHandled, { id: messageId }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  if (conversation.isPending) return <Loading what="the conversation" />;
  if (conversation.error) return <FormError error={conversation.error} />;
  const c = conversation.data.conversation;
  const zone = recruiterZone();
  const blocked = c.reply.channel === null;
  const apiError = send.error instanceof ApiError ? send.error : null;
  const textError = apiError?.field('text') ?? apiError?.field(type === 'candidate' ? 'candidateId' : 'contactId');
  const smsOptedOut = c.consent.sms.status === 'opted_out';
  return (
    <div className="thread">
      <header className="thread-head">
        <Link href="/replies" className="back-link">
          ← All conversations
        </Link>
        <h2>{c.person.name}</h2>
        <p className="muted">
          {[c.person.phone, c.person.email].filter(Boolean).join(' · ')}
          {type === 'candidate' && (
            <>
              {' · '}
              <Link href={`/candidates/${id}`}>Open candidate</Link>
            </>
          )}
        </p>
        {smsOptedOut && (
          <p className="notice">
            Opted out of SMS {c.consent.sms.source === 'keyword' ? 'by texting STOP' : ''}
            {c.consent.sms.changedAt ? ` on ${formatInZone(c.consent.sms.changedAt, zone)}` : ''}.
          </p>
        )}
      </header>
      {c.earlierMessages && <p className="muted">Earlier messages are on the candidate's timeline.</p>}
      <ol className="messages" aria-label={`Messages with ${c.person.name}`} aria-live="polite">
        {c.messages.map((m) => (
          <li key={m.id} className={`message ${m.direction === 'in' ? 'inbound' : 'outbound'}${m.automated ? ' automated' : ''}`}>
            <p className="message-meta">
              <Badge tone="info">{channelLabel(m.channel)}</Badge>
              {m.direction === 'in' ? c.person.name : m.automated ? `Automated · ${ruleLabel(m.rule)}` : (m.authorName ?? 'You')}
              {' · '}
              <time dateTime={m.createdAt}>{formatInZone(m.createdAt, zone)}</time>
              {m.direction === 'out' && <> · {m.status}</>}
              {m.replyState === 'open' && <Badge tone="warn">Unanswered</Badge>}
            </p>
            {m.subject && <p className="subject">{m.subject}</p>}
            <p className="body">{m.body ?? <span className="muted">(no text)</span>}</p>
            {m.errorMessage && <p className="reason">{m.errorMessage}</p>}
            {m.replyState === 'open' && (
              <button type="button" className="link-button" onClick={() => handled.mutate(m.id)}>
                Mark handled
              </button>
            )}
          </li>
        ))}
      </ol>
      {c.upcoming.length > 0 && (
        <details className="upcoming">
          <summary>Planned to {c.person.name.split(' ')[0]} ({c.upcoming.length})</summary>
          {c.upcoming.map((f, i) => (
            <FollowUpCard key={i} followUp={f} />
          ))}
        </details>
      )}
      <form
        className="reply-box"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) send.mutate();
        }}
      >
        {c.reply.channel === 'email' && (
          <label>
            Subject
            <input value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="Re: …" />
          </label>
        )}
        <label htmlFor={boxId}>{blocked ? 'Reply' : `Reply by ${channelLabel(c.reply.channel)} to ${c.reply.to}`}</label>
        <textarea
          id={boxId}
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          disabled={blocked}
          aria-invalid={textError ? true : undefined}
          aria-describedby={blocked ? `${boxId}-why` : textError ? `${boxId}-error` : undefined}
        />
        {blocked && (
          <p className="notice" id={`${boxId}-why`}>
            You can't reply to {c.person.name}: {c.reply.blockedReason}.
          </p>
        )}
        {textError && (
          <p className="field-error" id={`${boxId}-error`}>
            {textError}
          </p>
        )}
        <FormError error={send.error} shown={['text', 'candidateId', 'contactId']} />
        {send.isSuccess && (
          <p className="muted" role="status">
            Queued. It goes out through the usual checks (consent, sending hours).
          </p>
        )}
        <button type="submit" className="primary" disabled={blocked || send.isPending || !text.trim()}>
          Send reply
        </button>
      </form>
    </div>
  );
}
