/** The models table: imported model files, kept as given, with what was read from them. */
import type { ModelSourceFormat } from '../../api/types.ts';
import type { ModelMeta, NewModel, StoredModel } from '../types.ts';
import { allRows, oneRow, ownBytes, prepareAll, Table } from './table.ts';

interface ModelRecord {
  id: number; name: string; format: ModelSourceFormat; sha256: string; config: string; vocab: string;
  provenance: string; size: number; created_at: number; bytes?: Buffer;
}

const META_COLUMNS = 'id, name, format, sha256, config, vocab, provenance, length(bytes) AS size, created_at';

const SQL = {
  insert: `INSERT INTO models (name, format, sha256, config, vocab, provenance, bytes, created_at)
    VALUES (@name, @format, @sha256, @config, @vocab, @provenance, @bytes, @createdAt)`,
  get: `SELECT ${META_COLUMNS}, bytes FROM models WHERE id = ?`,
  getMeta: `SELECT ${META_COLUMNS} FROM models WHERE id = ?`,
  findBySha: `SELECT ${META_COLUMNS} FROM models WHERE sha256 = ?`,
  list: `SELECT ${META_COLUMNS} FROM models ORDER BY id`,
  delete: 'DELETE FROM models WHERE id = ?',
};

export class ModelsTable extends Table {
  private readonly sql = prepareAll(this.db, SQL);

  insert(m: NewModel): number {
    const info = this.sql.insert.run({
      name: m.name, format: m.format, sha256: m.sha256, config: JSON.stringify(m.config), vocab: JSON.stringify(m.vocab),
      provenance: JSON.stringify(m.provenance), bytes: m.bytes, createdAt: this.now(),
    });
    return Number(info.lastInsertRowid);
  }

  /** A model with its file's bytes. */
  get(id: number): StoredModel | null {
    return oneRow(this.sql.get, (r: ModelRecord) => ({ ...toModelMeta(r), bytes: ownBytes(r.bytes!) }), id);
  }

  getMeta(id: number): ModelMeta | null {
    return oneRow(this.sql.getMeta, toModelMeta, id);
  }

  findBySha(sha256: string): ModelMeta | null {
    return oneRow(this.sql.findBySha, toModelMeta, sha256);
  }

  list(): ModelMeta[] {
    return allRows(this.sql.list, toModelMeta);
  }

  /** false if there was none */
  delete(id: number): boolean {
    return this.sql.delete.run(id).changes > 0;
  }
}

function toModelMeta(r: ModelRecord): ModelMeta {
  return {
    id: r.id, name: r.name, format: r.format, sha256: r.sha256, config: JSON.parse(r.config),
    vocab: JSON.parse(r.vocab) as string[], provenance: JSON.parse(r.provenance) as Record<string, unknown>,
    size: r.size, createdAt: r.created_at,
  };
}
