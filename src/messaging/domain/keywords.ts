/**
 * Classifies an inbound SMS body by keyword (SPEC "Replies, keywords, status").
 *
 * A keyword counts only when it is the WHOLE message, ignoring case and surrounding whitespace:
 * "STOP", " stop\n" and "Stop" are opt-outs, "please stop texting me" and "STOP." are not.
 * Pure and synchronous: the caller decides what a keyword means for the person at hand
 * (for example `yes` opts an opted-out person back in, otherwise it confirms).
 */
export type SmsKeyword = 'opt_out' | 'opt_in' | 'yes' | 'confirm' | 'help' | 'none';

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'] as const;
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP'] as const;
/** `YES` opts an opted-out person back in; from anyone else it is a confirmation. */
export const YES_KEYWORDS = ['YES'] as const;
export const CONFIRM_KEYWORDS = ['Y', 'C', 'CONFIRM'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

const KEYWORDS: ReadonlyMap<string, Exclude<SmsKeyword, 'none'>> = new Map<string, Exclude<SmsKeyword, 'none'>>([
  ...OPT_OUT_KEYWORDS.map((k) => [k, 'opt_out'] as const),
  ...OPT_IN_KEYWORDS.map((k) => [k, 'opt_in'] as const),
  ...YES_KEYWORDS.map((k) => [k, 'yes'] as const),
  ...CONFIRM_KEYWORDS.map((k) => [k, 'confirm'] as const),
  ...HELP_KEYWORDS.map((k) => [k, 'help'] as const),
]);

export function classifyKeyword(body: string | null | undefined): SmsKeyword {
  if (!body) {
    return 'none';
  }
  // trim() also strips NBSP, BOM and the other Unicode white space phones like to append.
  // toUpperCase() is locale-independent, so the Turkish dotless i cannot turn "quit" into something else.
  const word = body.trim().toUpperCase();
  return KEYWORDS.get(word) ?? 'none';
}

/** True when the body, as a whole, is any opt-out keyword. */
export function isOptOutKeyword(body: string | null | undefined): boolean {
  return classifyKeyword(body) === 'opt_out';
}
