/** The tables written only by identity's inline handlers (none yet: see src/tables.ts). */
export const INLINE_TABLES: readonly string[] = [];
