import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ID, StoreError, openDatabase } from '../../src-main/store/database.ts';
import { MIGRATIONS, type Migration, latestVersion, migrate } from '../../src-main/store/migrations.ts';

const V1 = MIGRATIONS.slice(0, 1);
const TABLES = ['checkpoints', 'corpora', 'evals', 'experiments', 'metrics', 'models', 'runs', 'samples'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tables(db: BetterSqlite3.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string }[])
    .map((r) => r.name);
}

/** A corpus row in SQL of schema version 1, so it works on a file of any version (LabStore prepares the newest schema's statements). */
function addCorpus(db: BetterSqlite3.Database, name = 'c'): number {
  return Number(db.prepare(`INSERT INTO corpora (name, kind, sha256, text, chars, vocab, created_at)
    VALUES (?, 'file', ?, 'hello', 5, '["e","h","l","o"]', 0)`).run(name, name.padEnd(64, '0')).lastInsertRowid);
}

/** Opening must refuse the file with this code and leave its bytes and mtime as they were. */
function expectRefusedUntouched(path: string, code: string, message: RegExp): void {
  const bytes = readFileSync(path);
  const mtime = statSync(path).mtimeMs;
  let caught: unknown;
  try {
    openDatabase(path).close();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as StoreError).code).toBe(code);
  expect((caught as StoreError).message).toMatch(message);
  expect(readFileSync(path).equals(bytes)).toBe(true);
  expect(statSync(path).mtimeMs).toBe(mtime);
  expect(existsSync(`${path}-wal`)).toBe(false);
  expect(existsSync(`${path}-journal`)).toBe(false);
}

describe('openDatabase', () => {
  it('creates and migrates a new file, in WAL mode with foreign keys on', () => {
    const path = join(dir, 'lab.db');
    const db = openDatabase(path);
    expect(tables(db)).toEqual(TABLES);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.close();

    // Reopening an up-to-date file applies nothing and keeps the data.
    const again = openDatabase(path);
    expect(again.pragma('user_version', { simple: true })).toBe(latestVersion());
    again.close();
  });

  it('migrates an empty existing file', () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const db = openDatabase(path);
    expect(tables(db)).toEqual(TABLES);
    db.close();
  });

  it('works in memory', () => {
    const db = openDatabase(':memory:');
    expect(tables(db)).toEqual(TABLES);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    db.close();
  });

  it('loads the SQLite addon it is given (as Electron does with one built for its ABI)', () => {
    const addon = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const db = openDatabase(':memory:', { nativeBinding: addon });
    expect(tables(db)).toEqual(TABLES);
    db.close();
    expect(() => openDatabase(':memory:', { nativeBinding: join(dir, 'missing.node') })).toThrow(
      expect.objectContaining({ name: 'StoreError', code: 'cannot-open' }),
    );
  });

  it('refuses a file that is not a database, untouched', () => {
    const path = join(dir, 'random.db');
    writeFileSync(path, randomBytes(8192));
    expectRefusedUntouched(path, 'not-a-database', /file is not a database/);

    const text = join(dir, 'corpus.txt');
    writeFileSync(text, 'First Citizen:\nBefore we proceed any further, hear me speak.\n'.repeat(200));
    expectRefusedUntouched(text, 'not-a-database', /not an RNN Lab database/);
  });

  it("refuses someone else's SQLite database, untouched", () => {
    const tablesNoId = join(dir, 'other.db');
    const other = new BetterSqlite3(tablesNoId);
    other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES (1)');
    other.close();
    expectRefusedUntouched(tablesNoId, 'not-rnn-lab', /another application/);

    const otherId = join(dir, 'other-id.db');
    const withId = new BetterSqlite3(otherId);
    withId.pragma('application_id = 1234');
    withId.close();
    expectRefusedUntouched(otherId, 'not-rnn-lab', /not an RNN Lab database/);

    const versionOnly = join(dir, 'other-version.db');
    const v = new BetterSqlite3(versionOnly);
    v.pragma('user_version = 3');
    v.close();
    expectRefusedUntouched(versionOnly, 'not-rnn-lab', /another application/);
  });

  it('refuses a file from a newer RNN Lab, untouched', () => {
    const path = join(dir, 'newer.db');
    const future: Migration = { version: latestVersion() + 1, description: 'from the future', up: (db) => db.exec('CREATE TABLE future (x)') };
    openDatabase(path, { migrations: [...MIGRATIONS, future] }).close();
    expectRefusedUntouched(
      path,
      'newer-schema',
      new RegExp(`written by a newer version of RNN Lab \\(schema ${future.version}, this build knows up to ${latestVersion()}\\)`),
    );
    // still usable by the build that wrote it
    const db = openDatabase(path, { migrations: [...MIGRATIONS, future] });
    expect(tables(db)).toContain('future');
    db.close();
  });

  it('reports a damaged schema page as corrupt', () => {
    const path = join(dir, 'damaged.db');
    const db = openDatabase(path);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = readFileSync(path);
    randomBytes(pageSize - 100).copy(bytes, 100); // keep the 100-byte header, scramble the rest of page 1
    writeFileSync(path, bytes);
    expect(() => openDatabase(path).close()).toThrow(expect.objectContaining({ name: 'StoreError', code: 'corrupt' }));
  });

  it('opens read-only without writing, and refuses an old schema read-only', () => {
    const path = join(dir, 'ro.db');
    openDatabase(path).close();
    const ro = openDatabase(path, { readonly: true });
    expect(ro.readonly).toBe(true);
    expect(tables(ro)).toEqual(TABLES);
    ro.close();

    const old = join(dir, 'old.db');
    openDatabase(old, { migrations: [] }).close(); // an empty file
    expect(() => openDatabase(old, { readonly: true })).toThrow(expect.objectContaining({ code: 'old-schema' }));
    expect(() => openDatabase(join(dir, 'missing.db'), { readonly: true })).toThrow(
      expect.objectContaining({ code: 'cannot-open' }),
    );
  });

  it('says cannot-open for a path that cannot be a file', () => {
    expect(() => openDatabase(join(dir, 'no', 'such', 'folder', 'lab.db'))).toThrow(
      expect.objectContaining({ name: 'StoreError', code: 'cannot-open' }),
    );
  });
});

describe('migrate', () => {
  const v2: Migration = {
    version: 2,
    description: 'corpus notes',
    up(db) {
      db.exec(`ALTER TABLE corpora ADD COLUMN note TEXT NOT NULL DEFAULT ''`);
      db.exec(`UPDATE corpora SET note = 'upgraded: ' || name`);
    },
  };

  it('upgrades an old-version file and keeps its data', () => {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, { migrations: V1 });
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    const id = addCorpus(old, 'tiny');
    old.close();

    const db = openDatabase(path, { migrations: [...V1, v2] });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT name, note FROM corpora WHERE id = ?').get(id)).toEqual({ name: 'tiny', note: 'upgraded: tiny' });
    db.close();
  });

  it('rolls a failing migration back completely and stops', () => {
    const path = join(dir, 'fail.db');
    const old = openDatabase(path, { migrations: V1 });
    addCorpus(old, 'kept');
    old.close();

    const broken: Migration = {
      version: 2,
      description: 'half done',
      up(db) {
        db.exec('CREATE TABLE half (x INTEGER)');
        db.exec(`UPDATE corpora SET name = 'changed'`);
        throw new Error('disk on fire');
      },
    };
    const three: Migration = { version: 3, description: 'never reached', up: (db) => db.exec('CREATE TABLE three (x)') };
    expect(() => openDatabase(path, { migrations: [...V1, broken, three] })).toThrow(
      expect.objectContaining({ code: 'migration-failed', message: expect.stringMatching(/migration 2 \(half done\).*disk on fire/) }),
    );

    const db = openDatabase(path, { migrations: V1 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(TABLES);
    expect(db.prepare('SELECT name FROM corpora').all()).toEqual([{ name: 'kept' }]);
    db.close();
  });

  it('stamps the application id with the first migration only when it succeeds', () => {
    const path = join(dir, 'first-fails.db');
    const failing: Migration = { version: 1, description: 'broken first', up: () => { throw new Error('no'); } };
    expect(() => openDatabase(path, { migrations: [failing] })).toThrow(StoreError);
    const raw = new BetterSqlite3(path);
    expect(raw.pragma('application_id', { simple: true })).toBe(0);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    raw.close();
    // ... so the file is still "new" and a working build takes it
    openDatabase(path).close();
  });

  it('rejects a list with gaps', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, [{ ...v2 }])).toThrow(/out of order/);
    db.close();
  });

  it('returns the versions it applied', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db, V1)).toEqual([1]);
    expect(migrate(db, [...V1, v2])).toEqual([2]);
    expect(migrate(db, [...V1, v2])).toEqual([]);
    db.close();
  });
});
