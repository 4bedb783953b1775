import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './signature';

describe('webhook signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"candidate.created","data":{"candidateId":"c1"}}';

  it('is v1= hex HMAC-SHA256(secret, timestamp.body), as documented', () => {
    const expected = createHmac('sha256', secret).update(`1795000000.${body}`).digest('hex');
    expect(signWebhook(secret, '1795000000', body)).toBe(`v1=${expected}`);
  });

  it('verifies the right body and refuses a tampered body, timestamp or secret', () => {
    const sig = signWebhook(secret, '1795000000', body);
    expect(verifyWebhook(secret, '1795000000', body, sig)).toBe(true);
    expect(verifyWebhook(secret, '1795000000', body.replace('c1', 'c2'), sig)).toBe(false);
    expect(verifyWebhook(secret, '1795000001', body, sig)).toBe(false);
    expect(verifyWebhook('whsec_other', '1795000000', body, sig)).toBe(false);
    expect(verifyWebhook(secret, '1795000000', body, 'v1=00')).toBe(false);
    // Several signatures (a future key rotation): any one matching is enough.
    expect(verifyWebhook(secret, '1795000000', body, `v1=${'0'.repeat(64)}, ${sig}`)).toBe(true);
  });
});
