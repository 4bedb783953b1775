/**
 * `Name <address@host>` or a bare address, as found in EMAIL_FROM and inbound `from` fields.
 * Returns undefined when no address can be found.
 */
export function parseMailbox(raw: string): { name?: string; address: string } | undefined {
  const trimmed = raw.trim();
  const angle = /^(.*)<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(trimmed);
  if (angle) {
    const name = angle[1]!.trim().replace(/^"(.*)"$/, '$1').trim();
    return { address: angle[2]!, ...(name ? { name } : {}) };
  }
  if (/^[^<>\s@]+@[^<>\s@]+$/.test(trimmed)) return { address: trimmed };
  return undefined;
}
