/**
 * Expected storage failures carry a code, so the lab can answer `{ ok: false, code, message }`
 * and the CLI can print the message as it is.
 */
export type StoreErrorCode =
  /** the path could not be opened at all (missing folder, permissions, a directory) */
  | 'cannot-open'
  /** the file is not an SQLite database */
  | 'not-a-database'
  /** an SQLite database, but someone else's */
  | 'not-rnn-lab'
  /** written by a newer RNN Lab; refused, never modified */
  | 'newer-schema'
  /** an older schema opened read-only, so it cannot be migrated */
  | 'old-schema'
  /** SQLite reports the file as damaged */
  | 'corrupt'
  /** a migration threw; its transaction was rolled back */
  | 'migration-failed'
  /** a corpus is still used by experiments */
  | 'in-use'
  /** the file (or its folder) cannot be written: refused at open, or a write to a file opened read-only */
  | 'read-only';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** better-sqlite3 throws SqliteError with an extended result code such as 'SQLITE_NOTADB'. */
export function sqliteCode(err: unknown): string | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** A write refused because the connection is read-only: the store's 'read-only' error, said for the user. */
export function readOnlyWrite(err: unknown): StoreError | null {
  if (!sqliteCode(err)?.startsWith('SQLITE_READONLY')) return null;
  return new StoreError('read-only', "the lab's database is open read-only: it can be browsed, not changed (open it without --read-only, or a copy of it, to make changes)", { cause: err });
}
