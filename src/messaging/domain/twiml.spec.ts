import { helpReply, twimlEmpty, twimlMessage } from './twiml';

describe('TwiML answers', () => {
  it('empty and one message, escaped', () => {
    expect(twimlEmpty()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twimlMessage(`Tom & Jerry's <firm> "x"`)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Tom &amp; Jerry&apos;s &lt;firm&gt; &quot;x&quot;</Message></Response>',
    );
  });

  it('HELP names the firm and how to opt out and back in', () => {
    const text = helpReply('Acme Staffing');
    expect(text.startsWith('Acme Staffing:')).toBe(true);
    expect(text).toContain('Reply STOP to opt out');
    expect(text).toContain('START');
  });
});
