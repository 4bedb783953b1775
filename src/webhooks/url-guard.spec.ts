import { assertSafeWebhookUrl, guardedLookup, isBlockedAddress } from './url-guard';

describe('webhook URL guard', () => {
  it.each([
    '127.0.0.1', '10.0.0.5', '172.16.3.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '224.0.0.1',
  ])('blocks %s', (ip) => expect(isBlockedAddress(ip)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111'])('allows %s', (ip) => expect(isBlockedAddress(ip)).toBe(false));

  it('requires https in production and checks literal addresses', async () => {
    await expect(assertSafeWebhookUrl('http://example.com/hook', true)).rejects.toThrow('https');
    await expect(assertSafeWebhookUrl('https://[::1]/hook', true)).rejects.toThrow('private');
    await expect(assertSafeWebhookUrl('https://user:pw@8.8.8.8/hook', true)).rejects.toThrow('credentials');
    await expect(assertSafeWebhookUrl('https://8.8.8.8/hook', true)).resolves.toBeInstanceOf(URL);
    await expect(assertSafeWebhookUrl('http://127.0.0.1:9/hook', false)).resolves.toBeInstanceOf(URL);
    await expect(assertSafeWebhookUrl('ftp://127.0.0.1/hook', false)).rejects.toThrow('http');
  });
});

describe('guardedLookup (the delivery socket lookup)', () => {
  it('refuses a host that resolves to a blocked address, with EBLOCKED', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e: NodeJS.ErrnoException | null) => resolve(e)));
    expect(err?.code).toBe('EBLOCKED');
  });
});

describe('webhook URL guard: only global unicast (issue 18)', () => {
  it.each([
    '::7f00:1', '::a9fe:a9fe', '::ffff:0:7f00:1', '::ffff:7f00:1', '::ffff:8.8.8.8', '2002:7f00:1::', '64:ff9b::7f00:1', '64:ff9b::808:808',
    '64:ff9b:1::1', '2001::1', '2001:db8::1', '3fff::1', '100::1', '5f00::1', 'fe80::1%eth0', '255.255.255.255', '192.0.2.1', '192.31.196.1',
  ])('blocks %s', (ip) => expect(isBlockedAddress(ip)).toBe(true));

  it.each(['2a00:1450:4001:80b::200e', '9.9.9.9'])('allows %s', (ip) => expect(isBlockedAddress(ip)).toBe(false));
});
