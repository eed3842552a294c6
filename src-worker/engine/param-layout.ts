/**
 * The flat parameter buffer's layout (llm.c's malloc_and_point_parameters): where each tensor of a
 * configuration lives, so that the model, the optimizer, checkpoints and model files agree on one
 * order, and parameter counts need no allocation.
 */
import { CELLS } from './cells/index.ts';
import { modelConfig, type ModelConfig, type ModelConfigInput } from './config.ts';

export interface ParamEntry {
  /** engine name: embedding, l{k}.Wx, l{k}.Wh, l{k}.bx, l{k}.bh, l{k}.peep, decoder.W, decoder.b */
  name: string;
  layer: number; // -1 for embedding and decoder
  key: string;
  /** shape inside the engine (weights are the transpose of PyTorch's) */
  shape: number[];
  offset: number;
  size: number;
}

/** Where each parameter tensor lives in the flat buffer, and the buffer's length. */
export function paramLayout(config: ModelConfig): { layout: ParamEntry[]; size: number } {
  const { vocabSize: V, hidden: H, layers: L, embedding: E } = config;
  const cell = CELLS[config.cell];
  const layout: ParamEntry[] = [];
  let offset = 0;
  const add = (name: string, layer: number, key: string, shape: number[]): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    layout.push({ name, layer, key, shape, offset, size });
    offset += size;
  };
  if (E > 0) add('embedding', -1, 'embedding', [V, E]);
  for (let l = 0; l < L; l++) {
    const inputSize = l === 0 ? (E > 0 ? E : V) : H;
    for (const s of cell.params(inputSize, H)) add(`l${l}.${s.key}`, l, s.key, s.shape);
  }
  add('decoder.W', -1, 'W', [H, V]);
  add('decoder.b', -1, 'b', [V]);
  return { layout, size: offset };
}

/** Trainable scalars of a configuration, without allocating it (PyTorch counts the same for rnn, lstm and gru-reset-after). */
export function parameterCount(config: ModelConfigInput): number {
  return paramLayout(modelConfig(config)).size;
}

