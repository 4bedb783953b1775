import { doubleCheck, editDistance, emailNameMismatch, sameName, suggestDomain } from './double-check';

describe('double-check warnings', () => {
  it('measures edit distance with transpositions costing one', () => {
    expect(editDistance('gmial', 'gmail')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it.each([
    ['gmial.com', 'gmail.com'],
    ['gmail.con', 'gmail.com'],
    ['gamil.com', 'gmail.com'],
    ['hotmial.com', 'hotmail.com'],
    ['yahooo.com', 'yahoo.com'],
    ['outlok.com', 'outlook.com'],
  ])('suggests %p → %p', (typo, fix) => {
    expect(suggestDomain(typo)).toBe(fix);
  });

  it.each(['gmail.com', 'GMAIL.COM', 'acme-staffing.com', 'mit.edu', 'example.com'])('leaves %p alone', (domain) => {
    expect(suggestDomain(domain)).toBeUndefined();
  });

  it.each([
    ['Jane Dow', 'jane.doe@acme.com'],
    ['Jane Doe', 'jane.dow@acme.com'],
    ['Jonathan Smith', 'jonathon.smith@acme.com'],
    ['Jane Doe', 'janedow@acme.com'],
    ['Jane Doe', 'jdow@acme.com'],
  ])('warns when %p is spelled differently in %p', (name, email) => {
    expect(emailNameMismatch(name, email)).toBeDefined();
  });

  it.each([
    ['Jane Doe', 'jane.doe@acme.com'],
    ['Jane Doe', 'jdoe@acme.com'],
    ['Jane Doe', 'janed@acme.com'],
    ['Jane Doe', 'doe.jane+jobs@acme.com'],
    ['Jane Doe', 'hr@acme.com'],
    ['Jane Doe', 'info@acme.com'],
    ['Zoë O’Brien', 'zoe.obrien@acme.com'],
    ['Jane Doe', 'sunshine77@gmail.com'],
  ])('does not warn for %p with %p', (name, email) => {
    expect(emailNameMismatch(name, email)).toBeUndefined();
  });

  it('compares names ignoring case, accents and spacing', () => {
    expect(sameName('Zoë  Smith', 'zoe smith')).toBe(true);
    expect(sameName('Jane Doe', 'Jane Dow')).toBe(false);
  });

  it('collects every warning and never throws', () => {
    const warnings = doubleCheck({ name: 'Jane Dow', email: 'jane.doe@gmial.com' }, [
      { kind: 'contact', id: 'c1', name: 'Jane Doe' },
    ]);
    expect(warnings.map((w) => w.code).sort()).toEqual(['EMAIL_DOMAIN_TYPO', 'EMAIL_NAME_CONFLICT', 'EMAIL_NAME_MISMATCH']);
    expect(warnings.find((w) => w.code === 'EMAIL_DOMAIN_TYPO')?.field).toBe('email');
    expect(doubleCheck({ name: 'Jane Doe', email: 'jane.doe@gmail.com' }, [{ kind: 'contact', id: 'c1', name: 'jane doe' }])).toEqual([]);
    expect(doubleCheck({ name: 'Jane Doe', email: null })).toEqual([]);
  });
});
