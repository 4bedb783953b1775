import { applyStatusCallback, isTerminalStatus, isTwilioMessageStatus, nextStatus } from './twilio-status';

describe('nextStatus', () => {
  it.each([
    // forward moves
    ['accepted', 'queued', 'queued'],
    ['scheduled', 'queued', 'queued'],
    ['queued', 'sending', 'sending'],
    ['queued', 'sent', 'sent'],
    ['sending', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['queued', 'delivered', 'delivered'],
    ['accepted', 'delivered', 'delivered'],
    ['queued', 'failed', 'failed'],
    ['sent', 'undelivered', 'undelivered'],
    ['accepted', 'failed', 'failed'],
    ['scheduled', 'canceled', 'canceled'],
    // never backwards
    ['delivered', 'sent', 'delivered'],
    ['delivered', 'queued', 'delivered'],
    ['sent', 'queued', 'sent'],
    ['sent', 'sending', 'sent'],
    ['queued', 'accepted', 'queued'],
    ['sent', 'sent', 'sent'],
    // terminal stays terminal
    ['failed', 'sent', 'failed'],
    ['failed', 'delivered', 'failed'],
    ['undelivered', 'sent', 'undelivered'],
    ['undelivered', 'delivered', 'undelivered'],
    ['delivered', 'failed', 'delivered'],
    ['delivered', 'undelivered', 'delivered'],
    ['canceled', 'sent', 'canceled'],
    // same rank, no sideways move
    ['accepted', 'scheduled', 'accepted'],
    // unknown incoming statuses change nothing
    ['sent', 'read', 'sent'],
    ['queued', 'received', 'queued'],
    ['queued', 'bogus', 'queued'],
    // case and spaces in the callback are tolerated
    ['queued', ' Delivered ', 'delivered'],
  ])('%s + %s -> %s', (current, incoming, expected) => {
    expect(nextStatus(current, incoming)).toBe(expected);
  });

  it('a status we do not know (our own `unknown`, or none) takes any Twilio status', () => {
    expect(nextStatus('unknown', 'sent')).toBe('sent');
    expect(nextStatus(null, 'queued')).toBe('queued');
    expect(nextStatus(undefined, 'failed')).toBe('failed');
    expect(nextStatus('unknown', 'nonsense')).toBe('unknown');
  });

  it('replays of a whole out-of-order callback sequence end at the furthest status', () => {
    const arrivals = ['sent', 'delivered', 'queued', 'sent', 'sending'];
    const final = arrivals.reduce<string>((status, incoming) => nextStatus(status, incoming), 'accepted');
    expect(final).toBe('delivered');
  });
});

describe('applyStatusCallback', () => {
  it('keeps the error code of a failure', () => {
    const r = applyStatusCallback({ status: 'sent', errorCode: null }, { status: 'failed', errorCode: 21610 });
    expect(r).toEqual({ status: 'failed', errorCode: '21610', changed: true });
  });

  it('a later sent/delivered neither revives a failed message nor erases its code', () => {
    const failed = { status: 'undelivered', errorCode: '30006' };
    expect(applyStatusCallback(failed, { status: 'sent' })).toEqual({ ...failed, changed: false });
    expect(applyStatusCallback(failed, { status: 'delivered', errorCode: null })).toEqual({ ...failed, changed: false });
    expect(applyStatusCallback(failed, { status: 'failed', errorCode: '21610' })).toEqual({ ...failed, changed: false });
  });

  it('does not attach an error code to a non-failure status', () => {
    expect(applyStatusCallback({ status: 'queued', errorCode: null }, { status: 'delivered', errorCode: '0' })).toEqual({
      status: 'delivered',
      errorCode: null,
      changed: true,
    });
  });

  it('reports no change for a backwards callback', () => {
    expect(applyStatusCallback({ status: 'delivered', errorCode: null }, { status: 'sent' }).changed).toBe(false);
  });
});

describe('status predicates', () => {
  it('knows which statuses are terminal', () => {
    expect(['delivered', 'failed', 'undelivered', 'canceled'].every((s) => isTerminalStatus(s))).toBe(true);
    expect(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'unknown', null].some((s) => isTerminalStatus(s))).toBe(false);
  });

  it('recognises only Twilio outbound statuses', () => {
    expect(isTwilioMessageStatus('queued')).toBe(true);
    expect(isTwilioMessageStatus('toString')).toBe(false);
    expect(isTwilioMessageStatus('received')).toBe(false);
    expect(isTwilioMessageStatus(3)).toBe(false);
  });
});
