/**
 * The channels Touchpoint writes to people on, and which way a touch went: one list each, for
 * people's preferences, messages, consent, follow-ups, one-off messages, analytics and both APIs
 * (REST's `enum`, GraphQL's `Channel` and `Direction`).
 */

export const CHANNELS = ['email', 'sms'] as const;
/** A channel Touchpoint can send (and receive) messages on. */
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ['in', 'out'] as const;
/** Which way a message or a logged activity went: `in` when the person reached out to us. */
export type Direction = (typeof DIRECTIONS)[number];
