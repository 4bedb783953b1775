import { changedFields } from './changes';

describe('changedFields', () => {
  const current = { name: 'Jane', email: 'j@x.io' as string | null, at: new Date('2026-01-01T00:00:00Z'), roles: ['a', 'b'] };

  it('keeps only supplied fields that differ; null clears, undefined is "not supplied"', () => {
    expect(changedFields(current, { name: 'Jane', email: null, roles: ['a', 'b'] })).toEqual({ email: null });
    expect(changedFields(current, { name: undefined })).toEqual({});
  });

  it('compares dates by instant and arrays by value', () => {
    expect(changedFields(current, { at: new Date('2026-01-01T00:00:00.000Z') })).toEqual({});
    expect(changedFields(current, { roles: ['b', 'a'] })).toEqual({ roles: ['b', 'a'] });
  });
});
