import { parseMailbox } from './email-address';

describe('parseMailbox', () => {
  it.each([
    ['jane@example.org', { address: 'jane@example.org' }],
    ['  jane@example.org ', { address: 'jane@example.org' }],
    ['Jane Doe <jane@example.org>', { name: 'Jane Doe', address: 'jane@example.org' }],
    ['"Doe, Jane" <jane@example.org>', { name: 'Doe, Jane', address: 'jane@example.org' }],
    ['<jane@example.org>', { address: 'jane@example.org' }],
    ['Zoë Ångström <zoe@example.org>', { name: 'Zoë Ångström', address: 'zoe@example.org' }],
  ])('%s', (raw, expected) => {
    expect(parseMailbox(raw)).toEqual(expected);
  });

  it.each(['', 'not an address', 'Jane <>', 'a@b@c'])('%j has no address', (raw) => {
    expect(parseMailbox(raw)).toBeUndefined();
  });
});
