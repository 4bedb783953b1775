/**
 * A fixed-offset IANA zone (`Etc/GMT±N`, no DST) in which the local hour is `hour` now, so the
 * default sending windows (SMS 08:00–21:00, email 07:00–21:00) stay open for hours whatever time
 * of day a suite or a benchmark runs. Give it to the firms at signup: follow-ups use the tenant's
 * zone when the recipient has none. (IANA's Etc signs are inverted: Etc/GMT-3 is UTC+3.)
 * Hours 10 to 14 keep every offset within the valid Etc zones (−12 … +14).
 */
export function zoneWhereItIs(hour: number, now: Date = new Date()): string {
  const offset = hour - now.getUTCHours();
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
