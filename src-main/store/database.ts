/**
 * Opening the lab's SQLite file. Everything that could refuse the file is decided by reading
 * only (application_id, user_version, the schema table); nothing is written, not even the switch
 * to WAL, until the file is known to be ours or empty.
 *
 * A file this user may not write is refused at open (SQLite would open it read-only without a
 * word and fail at the first write), with what to do: open it read-only (`readonly`), where
 * reads work and every write fails with SQLITE_READONLY (readOnlyWrite says so for the user), or
 * copy it. A WAL file in a folder the user may not write cannot be read at all: SQLite must
 * create its -shm file beside it.
 */
import { basename } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { StoreError, sqliteCode } from './errors.ts';
import { APPLICATION_ID, MIGRATIONS, type Migration, latestVersion, migrate, newerSchemaError } from './migrations.ts';

export { StoreError, type StoreErrorCode } from './errors.ts';
export { APPLICATION_ID } from './migrations.ts';
export type { Database } from 'better-sqlite3';

export interface OpenOptions {
  /**
   * better-sqlite3's compiled addon to load instead of its default one: Electron's main process
   * needs one built for Electron's ABI, while plain Node (CLI, tests) uses the default build.
   */
  nativeBinding?: string;
  /** open without writing: no WAL switch, no migrations; an older schema is refused */
  readonly?: boolean;
  /** the migrations to apply (tests pass shorter or longer lists) */
  migrations?: readonly Migration[];
}

const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating and migrating if needed) an RNN Lab database, or refuses it with StoreError. */
export function openDatabase(path: string, opts: OpenOptions = {}): Database {
  const readonly = opts.readonly ?? false;
  const migrations = opts.migrations ?? MIGRATIONS;

  let db: Database;
  try {
    db = new BetterSqlite3(path, { readonly, fileMustExist: readonly, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  } catch (err) {
    throw new StoreError('cannot-open', `cannot open the database ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    // Connection settings only; none of these writes to the file.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    checkFile(db, path, latestVersion(migrations), readonly);
    if (!readonly) {
      checkWritable(db);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, migrations);
    }
    return db;
  } catch (err) {
    db.close();
    throw toStoreError(err, path, readonly);
  }
}

/**
 * Writes once, in a transaction it rolls back (the header's user_version, set to what it is), so a
 * file SQLite opened read-only is found now and not at the first real write. Another process's
 * write lock says nothing either way: carry on.
 */
function checkWritable(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if (sqliteCode(err) === 'SQLITE_BUSY') return;
    throw err;
  }
  try {
    db.pragma(`user_version = ${version}`);
  } finally {
    db.exec('ROLLBACK');
  }
}

function checkFile(db: Database, path: string, latest: number, readonly: boolean): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;

  if (appId !== APPLICATION_ID) {
    const objects = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
    const empty = appId === 0 && version === 0 && objects.n === 0;
    if (!empty) {
      throw new StoreError(
        'not-rnn-lab',
        `${path} is an SQLite database of another application, not an RNN Lab database; it was not modified`,
      );
    }
    if (readonly) throw oldSchemaError(path, 0, latest);
    return;
  }
  if (version > latest) throw newerSchemaError(version, latest);
  if (readonly && version < latest) throw oldSchemaError(path, version, latest);
}

function oldSchemaError(path: string, version: number, latest: number): StoreError {
  return new StoreError(
    'old-schema',
    `${path} has schema ${version} and needs migrating to ${latest}, which a read-only open cannot do`,
  );
}

function toStoreError(err: unknown, path: string, readonly: boolean): unknown {
  if (err instanceof StoreError) return err;
  const code = sqliteCode(err) ?? '';
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    return new StoreError('read-only', `${path} is in a folder this user cannot write, and SQLite must create ${basename(path)}-shm beside a WAL database even to read it: copy it to a folder you can write`, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY') && !readonly) {
    return new StoreError('read-only', `${path} is read-only: open it read-only to browse (rnn-lab --read-only), or copy it to change it`, { cause: err });
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('not-a-database', `${path} is not an RNN Lab database (file is not a database); it was not modified`, { cause: err });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError('corrupt', `the database ${path} is damaged: ${messageOf(err)}`, { cause: err });
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_READONLY')) {
    return new StoreError('cannot-open', `cannot open the database ${path}: ${messageOf(err)}`, { cause: err });
  }
  return err;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
