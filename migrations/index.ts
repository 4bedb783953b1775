import { Foundation1764140000000 } from './1764140000000-foundation';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list runs from
 * compiled JavaScript in production and from TypeScript under Jest.
 */
export const MIGRATIONS = [Foundation1764140000000];
