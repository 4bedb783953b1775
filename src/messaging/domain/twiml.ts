/** TwiML answers to Twilio's webhooks: empty, or one reply message. */
export function twimlEmpty(): string {
  return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
}

export function twimlMessage(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${escapeXml(text)}</Message></Response>`;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** The HELP/INFO answer: who is texting, and how to stop it. */
export function helpReply(firmName: string): string {
  return `${firmName}: recruiting messages from your staffing contact. Reply STOP to opt out, START to opt back in. Msg & data rates may apply.`;
}
