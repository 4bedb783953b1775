import { classifyKeyword, isOptOutKeyword, type SmsKeyword } from './keywords';

const TABLE: ReadonlyArray<readonly [string, SmsKeyword]> = [
  ['STOP', 'opt_out'],
  ['STOPALL', 'opt_out'],
  ['UNSUBSCRIBE', 'opt_out'],
  ['END', 'opt_out'],
  ['QUIT', 'opt_out'],
  ['REVOKE', 'opt_out'],
  ['OPTOUT', 'opt_out'],
  ['CANCEL', 'opt_out'],
  ['START', 'opt_in'],
  ['UNSTOP', 'opt_in'],
  ['YES', 'yes'],
  ['Y', 'confirm'],
  ['C', 'confirm'],
  ['CONFIRM', 'confirm'],
  ['HELP', 'help'],
  ['INFO', 'help'],
];

const titleCase = (s: string): string => s.charAt(0) + s.slice(1).toLowerCase();

describe('classifyKeyword', () => {
  const cases: Array<[string, string, SmsKeyword]> = [];
  for (const [word, expected] of TABLE) {
    cases.push(['upper', word, expected]);
    cases.push(['lower', word.toLowerCase(), expected]);
    cases.push(['title', titleCase(word), expected]);
    cases.push(['padded', `  ${word.toLowerCase()} \n`, expected]);
    cases.push(['tab/crlf padded', `\t${word}\r\n`, expected]);
    cases.push(['nbsp padded', `\u00a0${titleCase(word)}\u00a0`, expected]);
  }

  it.each(cases)('%s %j -> %s', (_variant, body, expected) => {
    expect(classifyKeyword(body)).toBe(expected);
  });

  it.each([
    'please stop texting me',
    'STOP.',
    'stop!',
    'S T O P',
    'stop stop',
    'yes please',
    'Yes, I will be there. Thanks!',
    'yes.',
    'YESS',
    'helpful',
    'confirmed',
    'information',
    'Ok',
    '',
    '   ',
  ])('%j is not a keyword', (body) => {
    expect(classifyKeyword(body)).toBe('none');
  });

  it('treats null and undefined as no keyword', () => {
    expect(classifyKeyword(null)).toBe('none');
    expect(classifyKeyword(undefined)).toBe('none');
  });

  it('isOptOutKeyword matches only opt-out words', () => {
    expect(isOptOutKeyword(' Stop ')).toBe(true);
    expect(isOptOutKeyword('START')).toBe(false);
    expect(isOptOutKeyword('please stop')).toBe(false);
  });
});
