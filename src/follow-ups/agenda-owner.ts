/** Whose agenda: `me`, the caller's own candidates (users only); omitted, the whole firm's. */
export const AGENDA_OWNERS = ['me'] as const;
export type AgendaOwner = (typeof AGENDA_OWNERS)[number];
