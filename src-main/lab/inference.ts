/**
 * Using a model: scoring a text and generating from a run's checkpoint or an imported model, on
 * the pool's model worker so it never waits behind training.
 */
import { Vocab } from '../../src-worker/engine/data.ts';
import type { EvalResult } from '../../src-worker/engine/evaluate.ts';
import { GENERATE_MAX_LENGTH, type ModelSource } from '../../src-worker/model-protocol.ts';
import type { CheckpointKind } from '../api/types.ts';
import type { TrainingPool } from '../pool/pool.ts';
import type { LabStore } from '../store/lab-store.ts';
import { LabError } from './errors.ts';
import type { ModelService } from './model-service.ts';
import type { LabRecords } from './records.ts';

export interface GenerateOpts {
  prime: string;
  length: number;
  temperature?: number;
  topK?: number;
  seed?: number;
}

export class Inference {
  constructor(
    private readonly store: LabStore,
    private readonly records: LabRecords,
    private readonly models: ModelService,
    private readonly pool: () => TrainingPool,
  ) {}

  /** Mean cross-entropy, bits per character, perplexity and accuracy of a run's model on a text. */
  async evaluate(runId: number, text: string, which: CheckpointKind = 'best'): Promise<EvalResult> {
    const { state } = this.records.checkpoint(runId, which);
    const vocab = new Vocab(this.runVocab(runId));
    const ids = Uint16Array.from(vocab.encode(text));
    return this.pool().evaluate({ source: { kind: 'model', state }, ids: ids.buffer });
  }

  /** Mean cross-entropy, bits per character, perplexity and accuracy of an imported model on a text. */
  async evaluateModel(modelId: number, text: string): Promise<EvalResult> {
    const { meta, bytes } = this.models.modelFile(modelId);
    const ids = Uint16Array.from(new Vocab(meta.vocab).encode(text));
    return this.pool().evaluate({ source: { kind: 'file', bytes }, ids: ids.buffer });
  }

  /**
   * Text from a run's model, streamed through onText as it is written. An empty prime starts from a
   * newline (or the first character of the vocabulary); temperature 0 means always the likeliest.
   */
  async generate(runId: number, opts: GenerateOpts & { checkpoint?: CheckpointKind }, onText?: (text: string) => void): Promise<string> {
    const { state } = this.records.checkpoint(runId, opts.checkpoint ?? 'last');
    return this.generateFrom({ kind: 'model', state }, this.runVocab(runId), opts, onText);
  }

  /** Text from an imported model, as generate writes it from a run's. */
  async generateFromModel(modelId: number, opts: GenerateOpts, onText?: (text: string) => void): Promise<string> {
    const { meta, bytes } = this.models.modelFile(modelId);
    return this.generateFrom({ kind: 'file', bytes }, meta.vocab, opts, onText);
  }

  private async generateFrom(source: ModelSource, vocab: string[], opts: GenerateOpts, onText?: (text: string) => void): Promise<string> {
    const missing = [...opts.prime].find((c) => !vocab.includes(c));
    if (missing !== undefined) throw new LabError('bad-input', `the prime has ${JSON.stringify(missing)}, which is not in this model's vocabulary`);
    const temperature = opts.temperature ?? 1;
    if (!(temperature >= 0 && temperature <= 100)) throw new LabError('bad-input', `temperature must be from 0 (always the likeliest) to 100, got ${temperature}`);
    const topK = opts.topK ?? 0;
    if (!Number.isInteger(topK) || topK < 0 || topK > vocab.length) throw new LabError('bad-input', `top-k must be a whole number from 0 (all characters) to ${vocab.length}, got ${topK}`);
    if (!Number.isInteger(opts.length) || opts.length < 0 || opts.length > GENERATE_MAX_LENGTH) throw new LabError('bad-input', `length must be a whole number from 0 to ${GENERATE_MAX_LENGTH}, got ${opts.length}`);
    const start = opts.prime !== '' ? opts.prime : vocab.includes('\n') ? '\n' : vocab[0];
    const result = await this.pool().generate({
      source,
      vocab,
      prime: start,
      length: opts.length,
      temperature: temperature === 0 ? 1 : temperature,
      greedy: temperature === 0,
      topK,
      seed: opts.seed ?? 1,
    }, { onText });
    return result.text;
  }

  private runVocab(runId: number): string[] {
    return this.store.corpora.getMeta(this.records.corpusIdOf(this.records.run(runId)))!.vocab;
  }
}
