/**
 * SMS compliance, owned by messaging: whatever composes a text (a rule's template, a recruiter's
 * one-off message), what reaches the handset is finished here, in this one place.
 */

export const OPT_OUT_LINE = ' Reply STOP to opt out.';

/**
 * Appends the opt-out line to the first SMS Touchpoint sends a person (carrier practice). Later
 * texts omit it to save a segment. Never appends it twice.
 */
export function withOptOutLine(body: string, isFirstSmsToPerson: boolean): string {
  if (!isFirstSmsToPerson || body.endsWith(OPT_OUT_LINE.trim())) {
    return body;
  }
  return `${body.trimEnd()}${OPT_OUT_LINE}`;
}
