import { bootTestApp, countRows, gql, signup, TestApp } from '../support/test-app';
import { api } from '../pipeline/pipeline-support';

/**
 * Issue 18: the webhook URL guard missed IPv4 embedded in IPv6. In production only global unicast
 * addresses are accepted; every embedding form (IPv4-compatible ::/96, IPv4-mapped and
 * -translated, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo) is refused, over REST and GraphQL, and
 * nothing is stored.
 */
describe('security: SSRF through IPv4 embedded in IPv6', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await bootTestApp({ env: { NODE_ENV: 'production', SCHEDULER: 'off' } });
  });
  afterAll(async () => {
    await prod.close();
  });

  it.each([
    'https://[::7f00:1]/hook', // IPv4-compatible 127.0.0.1
    'https://[::a9fe:a9fe]/hook', // IPv4-compatible 169.254.169.254 (metadata)
    'https://[::ffff:0:7f00:1]/hook', // IPv4-translated (RFC 6145) 127.0.0.1
    'https://[::ffff:7f00:1]/hook', // IPv4-mapped 127.0.0.1
    'https://[::ffff:808:808]/hook', // IPv4-mapped, even of a public address
    'https://[2002:7f00:1::]/hook', // 6to4 of 127.0.0.1
    'https://[2002:a9fe:a9fe::1]/hook', // 6to4 of the metadata service
    'https://[64:ff9b::7f00:1]/hook', // NAT64 of 127.0.0.1
    'https://[64:ff9b::a9fe:a9fe]/hook', // NAT64 of the metadata service
    'https://[64:ff9b::808:808]/hook', // NAT64, any
    'https://[64:ff9b:1::a00:1]/hook', // local-use NAT64
    'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook', // Teredo
    'https://[2001:db8::1]/hook', // documentation
    'https://[3fff::1]/hook', // documentation (RFC 9637)
    'https://[100::1]/hook', // discard
    'https://[fe80::1]/hook',
    'https://[fc00::1]/hook',
    'https://[ff02::1]/hook',
    'https://[::]/hook',
    'https://[::1]/hook',
    'https://192.0.2.1/hook', // documentation
    'https://198.18.0.1/hook', // benchmarking
    'https://255.255.255.255/hook',
    'https://2130706433/hook', // 127.0.0.1 as one number (the URL parser normalises it)
    'https://0x7f.1/hook',
  ])('refuses %s with a 400 naming url; nothing stored', async (url) => {
    const a = await signup(prod);
    const res = await api(prod, a).post('/v1/webhook-subscriptions', { url, eventTypes: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('url');
    expect(res.body.detail).toMatch(/private, loopback or reserved/);
    const g = await gql(prod, a.token, `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: ["*"] }) { secret } }`, { url });
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await countRows('webhook_subscriptions', 'tenant_id = $1', [a.tenantId])).toBe(0);
  });

  it.each(['https://8.8.8.8/hook', 'https://[2606:4700:4700::1111]/hook'])('accepts the global unicast %s', async (url) => {
    const a = await signup(prod);
    await api(prod, a).post('/v1/webhook-subscriptions', { url, eventTypes: ['*'] }).expect(201);
  });
});
