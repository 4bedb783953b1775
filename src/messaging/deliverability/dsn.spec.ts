import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dsnKind, parseDsn } from './dsn';

const fixture = (name: string, vars: Record<string, string>): string =>
  Object.entries(vars).reduce((s, [k, v]) => s.split(`{{${k}}}`).join(v), readFileSync(join(__dirname, '../../../test/fixtures/email', name), 'utf8'));

describe('DSN (RFC 3464) parsing with mailparser', () => {
  it('reads the failed recipient, its status and diagnostic, and the original Message-ID', async () => {
    const report = await parseDsn(fixture('dsn-hard-bounce.eml', { RECIPIENT: 'jane@example.com', MESSAGE_ID: '<0b9c7a52@acme-staffing.example>' }));
    expect(report).toEqual({
      messageId: '<20261209160512.4F2A1C0123@mx.example.net>',
      originalMessageId: '<0b9c7a52@acme-staffing.example>',
      arrivalDate: new Date('2026-12-09T16:05:11Z'),
      recipients: [
        {
          address: 'jane@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnostic: '550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
        },
      ],
    });
    expect(dsnKind(report!.recipients[0]!)).toBe('hard_bounce');
    expect(dsnKind({ address: 'a@b', action: 'failed', status: '4.2.2', diagnostic: null })).toBe('soft_bounce');
    expect(dsnKind({ address: 'a@b', action: 'delayed', status: '4.4.7', diagnostic: null })).toBe('soft_bounce');
  });

  it('is not a DSN when it is an ordinary reply', async () => {
    expect(await parseDsn('From: a@b.example\r\nTo: c@d.example\r\nSubject: Re: hi\r\nMessage-ID: <x@b.example>\r\n\r\nThanks!\r\n')).toBeNull();
  });
});
