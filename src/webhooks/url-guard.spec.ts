import { AllowedRanges, assertSafeWebhookUrl, guardedLookup, isBlockedAddress, parseCidr } from './url-guard';

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

describe('WEBHOOK_ALLOWED_CIDRS (private receivers in production)', () => {
  const onPrem = new AllowedRanges(['10.20.0.0/16', '192.168.5.0/24', 'fd12:3456::/48']);

  it.each(['10.20.0.1', '10.20.255.254', '192.168.5.9', 'fd12:3456::1', '::ffff:10.20.1.2'])('lets %s through, inside a listed range', (ip) => {
    expect(isBlockedAddress(ip, onPrem)).toBe(false);
  });

  it.each(['10.21.0.1', '10.0.0.1', '192.168.6.1', '127.0.0.1', 'fd12:3457::1', '172.16.0.1'])('still blocks %s, outside every listed range', (ip) => {
    expect(isBlockedAddress(ip, onPrem)).toBe(true);
  });

  it('never opens link-local or metadata addresses, whatever is listed (even everything)', () => {
    const reckless = new AllowedRanges(['169.254.0.0/16', '0.0.0.0/0', '::/0']);
    for (const ip of ['169.254.169.254', '169.254.1.1', '::ffff:169.254.169.254', 'fe80::1', 'fd00:ec2::254', '0.0.0.0', '224.0.0.1', 'ff02::1']) {
      expect([ip, isBlockedAddress(ip, reckless)]).toEqual([ip, true]);
    }
    // What was listed (all of it) is let through otherwise.
    expect(isBlockedAddress('10.0.0.1', reckless)).toBe(false);
  });

  it('off by default: without a list, the private ranges stay blocked', () => {
    expect(isBlockedAddress('10.20.0.1')).toBe(true);
    expect(isBlockedAddress('10.20.0.1', new AllowedRanges([]))).toBe(true);
  });

  it('a subscription URL in a listed range passes in production; one outside, or the metadata service, is refused naming the list', async () => {
    await expect(assertSafeWebhookUrl('https://10.20.0.5/touchpoint', true, onPrem)).resolves.toBeInstanceOf(URL);
    await expect(assertSafeWebhookUrl('https://10.21.0.5/touchpoint', true, onPrem)).rejects.toThrow('outside WEBHOOK_ALLOWED_CIDRS');
    await expect(assertSafeWebhookUrl('https://169.254.169.254/latest/meta-data', true, new AllowedRanges(['169.254.0.0/16']))).rejects.toThrow('169.254.169.254');
    await expect(assertSafeWebhookUrl('http://10.20.0.5/touchpoint', true, onPrem)).rejects.toThrow('https');
  });

  it('the delivery socket honours it too: localhost through 127.0.0.0/8 when listed, not otherwise', async () => {
    const lookup = (allowed?: AllowedRanges) =>
      new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e: NodeJS.ErrnoException | null) => resolve(e), allowed));
    expect((await lookup())?.code).toBe('EBLOCKED');
    expect(await lookup(new AllowedRanges(['127.0.0.0/8', '::1/128']))).toBeNull();
  });

  it('parses CIDRs strictly', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('192.168.1.7')).toEqual({ network: '192.168.1.7', prefix: 32, family: 'ipv4' });
    expect(parseCidr('fd12::/48')).toEqual({ network: 'fd12::', prefix: 48, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com/8', '10.0.0.0/8/1', '10.0.0.0/x', '']) expect([bad, parseCidr(bad)]).toEqual([bad, undefined]);
  });
});
