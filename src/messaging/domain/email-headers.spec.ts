import { buildEmailHeaders, messageIdHeader, parseMessageIds, replySubject, threadHeaders } from './email-headers';

describe('email headers', () => {
  it('says "Re:" once', () => {
    expect(replySubject('Following up')).toBe('Re: Following up');
    expect(replySubject('Re: RE:  Following up')).toBe('Re: Following up');
    expect(replySubject('AW: Termin')).toBe('Re: Termin');
  });

  it('builds our Message-ID from the From domain (IDN in punycode)', () => {
    expect(messageIdHeader('0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11', 'r@acme.example')).toBe('<0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme.example>');
    expect(messageIdHeader('x y', 'r@bücher.example')).toBe('<x-y@xn--bcher-kva.example>');
    expect(messageIdHeader('x', 'no-domain')).toBeNull();
  });

  it('answers the latest message and keeps the root when References is trimmed', () => {
    expect(threadHeaders([])).toBeUndefined();
    expect(threadHeaders(['simulated-1'])).toBeUndefined();
    const ids = Array.from({ length: 14 }, (_, i) => `<m${i}@a.example>`);
    const t = threadHeaders(ids)!;
    expect(t.inReplyTo).toBe('<m13@a.example>');
    expect(t.references).toHaveLength(10);
    expect(t.references[0]).toBe('<m0@a.example>');
    expect(t.references[9]).toBe('<m13@a.example>');
  });

  it('parses References and drops reserved custom headers', () => {
    expect(parseMessageIds('<a@x>\r\n <b@y>  junk <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
    const h = buildEmailHeaders(
      { messageId: 'm', to: 't@x', from: 'f@x', subject: 's', text: 't', inReplyTo: '<b@y>', references: ['<a@x>', '<b@y>'], unsubscribeUrl: 'https://u.example/x', headers: { 'In-Reply-To': '<evil@x>', 'X-Tag': 'a\r\nb' } },
      '<m@x>',
    );
    expect(h).toEqual({
      messageId: '<m@x>',
      inReplyTo: '<b@y>',
      references: '<a@x> <b@y>',
      extra: { 'X-Tag': 'a b', 'List-Unsubscribe': '<https://u.example/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  });
});
