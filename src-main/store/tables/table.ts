/**
 * What every table shares: the one connection and clock, statements prepared once when the store
 * opens, one kind of transaction, and the values SQLite cannot hold as they are (NaN, byte views
 * into a larger buffer).
 */
import type { Database, Statement } from 'better-sqlite3';

export class Table {
  constructor(protected readonly db: Database, protected readonly now: () => number) {}
}

/** Each SQL text prepared once; every value goes in later as a bound parameter. */
export function prepareAll<K extends string>(db: Database, sql: Record<K, string>): Record<K, Statement> {
  const statements = {} as Record<K, Statement>;
  for (const key of Object.keys(sql) as K[]) statements[key] = db.prepare(sql[key]);
  return statements;
}

/** The row the statement finds, mapped; null when there is none. */
export function oneRow<R, T>(statement: Statement, map: (r: R) => T, ...params: unknown[]): T | null {
  const r = statement.get(...params) as R | undefined;
  return r ? map(r) : null;
}

export function allRows<R, T>(statement: Statement, map: (r: R) => T, ...params: unknown[]): T[] {
  return (statement.all(...params) as R[]).map((r) => map(r));
}

/**
 * Runs fn in one transaction (a savepoint when nested) and returns its result; a throw rolls
 * everything in it back. BEGIN IMMEDIATE: the write lock is taken up front, so a read followed
 * by a write cannot fail with SQLITE_BUSY_SNAPSHOT when another process wrote in between.
 */
export function immediateTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

export function nanIfNull(x: number | null): number {
  return x === null ? NaN : x;
}

/** A Uint8Array that owns exactly its bytes, so its buffer can be transferred. */
export function ownBytes(b: Buffer): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return new Uint8Array(b.buffer);
  return new Uint8Array(b);
}
