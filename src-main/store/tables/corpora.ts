/** The corpora table: texts to train on, with their vocabulary and, for tasks, their masks. */
import type { CorpusKind, CorpusMeta } from '../../api/types.ts';
import { StoreError, sqliteCode } from '../errors.ts';
import type { Corpus, NewCorpus } from '../types.ts';
import { allRows, oneRow, ownBytes, prepareAll, Table } from './table.ts';

interface CorpusRecord {
  id: number; name: string; kind: CorpusKind; task: string | null; sha256: string; chars: number;
  vocab: string; valid_fraction: number; source: string | null; created_at: number;
  text?: string; predictable?: Buffer | null; long_range?: Buffer | null;
}

interface CorpusUser { id: number; name: string }

const META_COLUMNS = 'id, name, kind, task, sha256, chars, vocab, valid_fraction, source, created_at';

const SQL = {
  insert: `INSERT INTO corpora
    (name, kind, task, sha256, text, chars, vocab, valid_fraction, predictable, long_range, source, created_at)
    VALUES (@name, @kind, @task, @sha256, @text, @chars, @vocab, @validFraction, @predictable, @longRange, @source, @createdAt)`,
  get: `SELECT ${META_COLUMNS}, text, predictable, long_range FROM corpora WHERE id = ?`,
  getMeta: `SELECT ${META_COLUMNS} FROM corpora WHERE id = ?`,
  findBySha: `SELECT ${META_COLUMNS} FROM corpora WHERE sha256 = ?`,
  list: `SELECT ${META_COLUMNS} FROM corpora ORDER BY id`,
  // the experiments table's side of a delete: who still uses the corpus, named in the refusal
  experimentsUsingCorpus: 'SELECT id, name FROM experiments WHERE corpus_id = ? ORDER BY id',
  delete: 'DELETE FROM corpora WHERE id = ?',
};

export class CorporaTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  insert(c: NewCorpus): number {
    const info = this.sql.insert.run({
      name: c.name,
      kind: c.kind,
      task: c.task === null || c.task === undefined ? null : JSON.stringify(c.task),
      sha256: c.sha256,
      text: c.text,
      chars: c.chars,
      vocab: JSON.stringify(c.vocab),
      validFraction: c.validFraction ?? 0.1,
      predictable: c.predictable ?? null,
      longRange: c.longRange ?? null,
      source: c.source ?? null,
      createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  get(id: number): Corpus | null {
    return oneRow(this.sql.get, toCorpus, id);
  }

  getMeta(id: number): CorpusMeta | null {
    return oneRow(this.sql.getMeta, toCorpusMeta, id);
  }

  findBySha(sha256: string): CorpusMeta | null {
    return oneRow(this.sql.findBySha, toCorpusMeta, sha256);
  }

  list(): CorpusMeta[] {
    return allRows(this.sql.list, toCorpusMeta);
  }

  /** Deletes a corpus nobody uses; false if there was none. Throws 'in-use' naming the experiments. */
  delete(id: number): boolean {
    const users = this.sql.experimentsUsingCorpus.all(id) as CorpusUser[];
    if (users.length > 0) throw this.inUse(id, users);
    try {
      return this.sql.delete.run(id).changes > 0;
    } catch (err) {
      // Another process added an experiment between the check and the delete.
      if (isForeignKeyError(err)) {
        throw this.inUse(id, this.sql.experimentsUsingCorpus.all(id) as CorpusUser[], err);
      }
      throw err;
    }
  }

  private inUse(id: number, users: CorpusUser[], cause?: unknown): StoreError {
    const corpus = this.getMeta(id);
    const label = corpus ? `'${corpus.name}'` : `#${id}`;
    const names = users.map((e) => `'${e.name}'`).join(', ');
    const noun = users.length === 1 ? 'experiment' : 'experiments';
    return new StoreError(
      'in-use',
      `corpus ${label} is used by the ${noun} ${names || '(unknown)'}; delete ${users.length === 1 ? 'it' : 'them'} first`,
      { cause },
    );
  }
}

/**
 * An ON DELETE RESTRICT violation comes back as SQLITE_CONSTRAINT_TRIGGER (SQLite implements it
 * like a trigger), a deferred check as SQLITE_CONSTRAINT_FOREIGNKEY; both say "FOREIGN KEY".
 */
function isForeignKeyError(err: unknown): boolean {
  return (sqliteCode(err) ?? '').startsWith('SQLITE_CONSTRAINT') && err instanceof Error && /FOREIGN KEY/.test(err.message);
}

function toCorpusMeta(r: CorpusRecord): CorpusMeta {
  return {
    id: r.id, name: r.name, kind: r.kind, task: r.task === null ? null : JSON.parse(r.task),
    sha256: r.sha256, chars: r.chars, vocab: JSON.parse(r.vocab) as string[], validFraction: r.valid_fraction,
    source: r.source, createdAt: r.created_at,
  };
}

function toCorpus(r: CorpusRecord): Corpus {
  return {
    ...toCorpusMeta(r), text: r.text ?? '',
    predictable: r.predictable ? ownBytes(r.predictable) : null, longRange: r.long_range ? ownBytes(r.long_range) : null,
  };
}
