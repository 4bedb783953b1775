import { randomUUID } from 'node:crypto';
import { createUnsubscribeToken, unsubscribeKey, verifyUnsubscribeToken } from './unsubscribe-token';

describe('unsubscribe token', () => {
  const key = unsubscribeKey(Buffer.alloc(32, 7));
  const subject = { tenantId: randomUUID(), person: { type: 'contact' as const, id: randomUUID() }, channel: 'email' as const };

  it('round-trips tenant, person and channel, and fits a URL path segment', () => {
    for (const s of [subject, { ...subject, person: { type: 'candidate' as const, id: randomUUID() }, channel: 'sms' as const }]) {
      const token = createUnsubscribeToken(key, s);
      expect(token.length).toBeLessThanOrEqual(100);
      expect(verifyUnsubscribeToken(key, token)).toEqual(s);
    }
  });

  it('refuses another key, any altered character, and garbage', () => {
    const token = createUnsubscribeToken(key, subject);
    expect(verifyUnsubscribeToken(unsubscribeKey(Buffer.alloc(32, 8)), token)).toBeUndefined();
    for (let i = 0; i < token.length; i++) {
      const c = token[i] === 'A' ? 'B' : 'A';
      const altered = token.slice(0, i) + c + token.slice(i + 1);
      // the last character may carry padding bits only; decoding can map both to the same bytes
      if (Buffer.from(altered, 'base64url').equals(Buffer.from(token, 'base64url'))) continue;
      expect(verifyUnsubscribeToken(key, altered)).toBeUndefined();
    }
    for (const bad of ['', 'x', 'a'.repeat(67), `${token}A`, token.slice(1), '../../etc/passwd']) {
      expect(verifyUnsubscribeToken(key, bad)).toBeUndefined();
    }
  });
});
