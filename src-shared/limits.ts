/** Limits both sides check: the renderer, to say so before it asks; main, to refuse. */

/** Longest passage the cell and per-character views read, characters. */
export const DIAGNOSE_MAX_PASSAGE = 5000;
