/** A candidate or a contact: the two kinds of people Touchpoint follows up with. */
export type PersonRef = { type: 'candidate'; id: string } | { type: 'contact'; id: string };

export type PersonKind = PersonRef['type'];

export function personKey(p: PersonRef): string {
  return `${p.type}:${p.id}`;
}
