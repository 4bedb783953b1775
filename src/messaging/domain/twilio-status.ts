/**
 * Ordering of Twilio message statuses, for status callbacks (SPEC "Status callbacks"):
 * a message's status only moves forward, `queued < sent < delivered`, and `failed` /
 * `undelivered` keep their error code.
 *
 *   scheduled, accepted  <  queued  <  sending  <  sent  <  delivered | undelivered | failed | canceled
 *
 * The four on the right are terminal: once there, no callback changes the status again
 * (callbacks arrive out of order and are retried, so a late `sent` after `delivered`, or a
 * `sent` after `failed`, must be ignored). The first terminal status to arrive wins.
 *
 * Statuses that are not Twilio outbound statuses (`received`, `read`, a typo, ...) never change
 * anything. A current status that is not a Twilio status (our own `unknown` after a send timeout,
 * or none at all) is replaced by any Twilio status: that is how a callback reconciles a send
 * whose outcome we did not know.
 */
export const TWILIO_MESSAGE_STATUSES = [
  'scheduled',
  'accepted',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'canceled',
] as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

const TERMINAL_RANK = 5;

const RANK: Readonly<Record<TwilioMessageStatus, number>> = {
  scheduled: 1,
  accepted: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: TERMINAL_RANK,
  undelivered: TERMINAL_RANK,
  failed: TERMINAL_RANK,
  canceled: TERMINAL_RANK,
};

const FAILURE_STATUSES: ReadonlySet<string> = new Set<TwilioMessageStatus>(['failed', 'undelivered']);

export function isTwilioMessageStatus(value: unknown): value is TwilioMessageStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

export function isTerminalStatus(status: string | null | undefined): boolean {
  return isTwilioMessageStatus(status) && RANK[status] === TERMINAL_RANK;
}

/** `failed` or `undelivered`: the statuses that carry an error code. */
export function isFailureStatus(status: string | null | undefined): boolean {
  return typeof status === 'string' && FAILURE_STATUSES.has(status);
}

/**
 * The status a message should have after a callback reporting `incoming`, given it is at
 * `current` now. Returns `current` unchanged when `incoming` would move it backwards or
 * sideways, when `current` is terminal, or when `incoming` is not a Twilio status.
 */
export function nextStatus<C extends string | null | undefined>(current: C, incoming: string): C | TwilioMessageStatus {
  const normalized = incoming.trim().toLowerCase();
  if (!isTwilioMessageStatus(normalized)) {
    return current;
  }
  if (!isTwilioMessageStatus(current)) {
    return normalized;
  }
  const from = RANK[current];
  if (from === TERMINAL_RANK) {
    return current;
  }
  return RANK[normalized] > from ? normalized : current;
}

export interface MessageStatusState {
  status: string | null;
  /** Twilio error code (e.g. `21610`), kept only with `failed` / `undelivered`. */
  errorCode: string | null;
}

/**
 * `nextStatus` for a status with its error code. The error code moves with the status: it is
 * taken from the callback only when the status actually changes to `failed`/`undelivered`, and
 * a later callback never erases it.
 */
export function applyStatusCallback(
  current: MessageStatusState,
  incoming: { status: string; errorCode?: string | number | null },
): MessageStatusState & { changed: boolean } {
  const status = nextStatus(current.status, incoming.status);
  if (status === current.status) {
    return { ...current, changed: false };
  }
  const code = incoming.errorCode === undefined || incoming.errorCode === null || incoming.errorCode === '' ? null : String(incoming.errorCode);
  return { status, errorCode: isFailureStatus(status) ? code : null, changed: true };
}
