import { canonicalJson, requestHash } from './idempotency.store';

describe('idempotency request hash', () => {
  it('ignores key order and undefined fields, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(requestHash({ name: 'Jane', email: 'j@x.io' })).toBe(requestHash({ email: 'j@x.io', name: 'Jane', phone: undefined }));
  });

  it('tells different bodies apart, including types and array order', () => {
    expect(requestHash({ n: 1 })).not.toBe(requestHash({ n: '1' }));
    expect(requestHash({ ids: [1, 2] })).not.toBe(requestHash({ ids: [2, 1] }));
    expect(requestHash(undefined)).toBe(requestHash(null));
  });
});
