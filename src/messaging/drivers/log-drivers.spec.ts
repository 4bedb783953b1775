import type { OutboundEmail, OutboundSms } from './driver.types';
import { LogEmailDriver, type DriverLogFn } from './log-email.driver';
import { LogSmsDriver } from './log-sms.driver';

type Line = { level: string; message: string; fields?: Readonly<Record<string, unknown>> };

function capture(): { log: DriverLogFn; lines: Line[] } {
  const lines: Line[] = [];
  return { lines, log: (level, message, fields) => lines.push({ level, message, fields }) };
}

const email: OutboundEmail = {
  messageId: '0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11',
  to: 'zoe@example.org',
  toName: 'Zoë Ångström',
  from: 'recruiting@acme.example',
  subject: 'Interview tomorrow',
  text: 'See you at 10:00',
  unsubscribeUrl: 'https://touchpoint.example.com/u/x',
};

const sms: OutboundSms = {
  messageId: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  to: '+14155550199',
  body: 'Reply YES to confirm',
  account: { accountSid: 'AC00000000000000000000000000000000', authToken: 'secret-token', messagingServiceSid: 'MG11111111111111111111111111111111' },
  statusCallbackUrl: 'https://touchpoint.example.com/status/1',
};

describe('LogEmailDriver', () => {
  it('sends nothing, reports a simulated send derived from our message id, logs and keeps it', async () => {
    const { log, lines } = capture();
    const driver = new LogEmailDriver({ log });

    const outcome = await driver.send(email);

    expect(driver.name).toBe('log');
    expect(outcome).toEqual({ kind: 'sent', status: 'simulated', simulated: true, providerId: `simulated-${email.messageId}` });
    expect(driver.sent).toHaveLength(1);
    expect(driver.sent[0]).toMatchObject({ providerId: `simulated-${email.messageId}`, email });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', fields: { messageId: email.messageId, to: 'zoe@example.org' } });
  });

  it('its list is read-only from the outside and bounded', async () => {
    const driver = new LogEmailDriver({ log: () => undefined, keep: 2 });
    for (const id of ['a', 'b', 'c']) {
      await driver.send({ ...email, messageId: id });
    }
    const snapshot = driver.sent as unknown as unknown[];
    snapshot.length = 0;
    expect(driver.sent.map((s) => s.email.messageId)).toEqual(['b', 'c']);
  });
});

describe('LogSmsDriver', () => {
  it('sends nothing, reports a simulated send, and never keeps or logs the auth token', async () => {
    const { log, lines } = capture();
    const driver = new LogSmsDriver({ log });

    const outcome = await driver.send(sms);

    expect(driver.name).toBe('log');
    expect(outcome).toEqual({ kind: 'sent', status: 'simulated', simulated: true, providerId: `simulated-${sms.messageId}` });
    expect(driver.sent).toEqual([
      expect.objectContaining({
        messageId: sms.messageId,
        to: sms.to,
        body: sms.body,
        accountSid: sms.account.accountSid,
        messagingServiceSid: sms.account.messagingServiceSid,
        statusCallbackUrl: sms.statusCallbackUrl,
      }),
    ]);
    expect(JSON.stringify(driver.sent)).not.toContain('secret-token');
    expect(JSON.stringify(lines)).not.toContain('secret-token');
    expect(lines).toHaveLength(1);
  });
});
