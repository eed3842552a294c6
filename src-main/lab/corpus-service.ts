/**
 * Corpora in the lab: imported files and generated tasks become rows (the same content twice is
 * the same corpus), and a corpus's token ids are made once and shared, without copying, by every
 * run and diagnostic that reads it.
 */
import { createHash } from 'node:crypto';
import type { CorpusDetails, CorpusMeta } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import { corpusStats, encodeShared, prepareCorpus, splitCorpus } from './corpora.ts';
import { LabError } from './errors.ts';
import { generateTask, resolveTaskParams, TASKS, type TaskName } from './tasks/index.ts';

/** A corpus's token ids over SharedArrayBuffers, so workers read them in place. */
interface CorpusIds {
  vocab: string[];
  train: Uint16Array;
  valid: Uint16Array;
  /** task corpora: the predictable and long-range marks of the validation characters */
  validMasks: { predictable: SharedArrayBuffer; longRange: SharedArrayBuffer } | null;
}

export class CorpusService {
  private readonly idsCache = new Map<number, CorpusIds>();

  constructor(private readonly store: LabStore) {}

  /** Imports a text file's bytes; identical content returns the corpus already there. */
  importCorpus(bytes: Uint8Array, opts: { name: string; keepCrlf?: boolean; maxBytes?: number; source?: string }): { corpus: CorpusDetails; existing: boolean } {
    const prepared = prepareCorpus(bytes, { name: opts.name, keepCrlf: opts.keepCrlf, maxBytes: opts.maxBytes });
    const found = this.store.corpora.findBySha(prepared.sha256);
    if (found) return { corpus: this.corpus(found.id), existing: true };
    const id = this.store.corpora.insert({
      name: opts.name,
      kind: 'file',
      task: null,
      sha256: prepared.sha256,
      text: prepared.text,
      chars: prepared.chars,
      vocab: prepared.vocab,
      source: opts.source ?? null,
    });
    return { corpus: this.corpus(id), existing: false };
  }

  /** Generates a built-in task corpus from its parameters and seed. */
  createTaskCorpus(task: TaskName, params: Record<string, number>): { corpus: CorpusDetails; existing: boolean } {
    if (!(task in TASKS)) throw new LabError('bad-input', `unknown task ${JSON.stringify(task)}; allowed: ${Object.keys(TASKS).join(', ')}`);
    params = resolveTaskParams(task, params);
    const generated = generateTask(task, params);
    const prepared = prepareCorpus(new TextEncoder().encode(generated.text), { name: task });
    const sha256 = createHash('sha256').update(JSON.stringify({ task, params })).update(prepared.sha256).digest('hex');
    const found = this.store.corpora.findBySha(sha256);
    if (found) return { corpus: this.corpus(found.id), existing: true };
    const name = `${task} (${Object.entries(params).map(([k, v]) => `${k} ${v}`).join(', ')})`;
    const id = this.store.corpora.insert({
      name,
      kind: 'task',
      task: { name: task, params },
      sha256,
      text: prepared.text,
      chars: prepared.chars,
      vocab: prepared.vocab,
      predictable: generated.predictable,
      longRange: generated.longRange,
    });
    return { corpus: this.corpus(id), existing: false };
  }

  listCorpora(): CorpusMeta[] {
    return this.store.corpora.list();
  }

  corpus(id: number): CorpusDetails {
    const c = this.store.corpora.get(id);
    if (!c) throw new LabError('not-found', `no corpus ${id}`);
    const { text, predictable: _p, longRange: _l, ...meta } = c;
    return { ...meta, stats: corpusStats(text, c.vocab, c.validFraction) };
  }

  deleteCorpus(id: number): void {
    if (!this.store.corpora.delete(id)) throw new LabError('not-found', `no corpus ${id}`);
    this.idsCache.delete(id);
  }

  /** The corpus's token ids, split into training and validation text as every run splits it. */
  ids(corpusId: number): CorpusIds {
    let ids = this.idsCache.get(corpusId);
    if (!ids) {
      const c = this.store.corpora.get(corpusId)!;
      const { train, valid, trainChars } = splitCorpus(c.text, c.validFraction);
      const shared = (mask: Uint8Array): SharedArrayBuffer => {
        const buf = new SharedArrayBuffer(mask.length - trainChars);
        new Uint8Array(buf).set(mask.subarray(trainChars));
        return buf;
      };
      ids = {
        vocab: c.vocab,
        train: encodeShared(train, c.vocab),
        valid: encodeShared(valid, c.vocab),
        validMasks: c.predictable && c.longRange ? { predictable: shared(c.predictable), longRange: shared(c.longRange) } : null,
      };
      this.idsCache.set(corpusId, ids);
    }
    return ids;
  }
}
