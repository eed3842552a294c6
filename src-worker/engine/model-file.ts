/**
 * Model files: a Model as safetensors with PyTorch's state_dict names, so that torch.nn.RNN, LSTM
 * and GRU load the weights unchanged (DESIGN.md, "Model files").
 *
 *   embedding.weight      (V, E)     when config.embedding > 0; nn.Embedding's layout, same as ours
 *   rnn.weight_ih_l{k}    (G*H, I)   transpose of our l{k}.Wx (I, G*H)
 *   rnn.weight_hh_l{k}    (G*H, H)   transpose of our l{k}.Wh (H, G*H)
 *   rnn.bias_ih_l{k}      (G*H)      our l{k}.bx
 *   rnn.bias_hh_l{k}      (G*H)      our l{k}.bh
 *   decoder.weight        (V, H)     transpose of our decoder.W (H, V)
 *   decoder.bias          (V)        our decoder.b
 * Gate blocks are already in PyTorch's order (the cell catalogue's). The peephole LSTM adds
 * peephole.weight_{i,f,o}_l{k} (H), the rows of our l{k}.peep. The Cho-form GRU computes something
 * PyTorch has no module for and has one bias, so all of its tensors live under gru_cho.* where
 * torch.nn's loader refuses them rather than silently running a different cell.
 *
 * __metadata__ (strings): format "rnn-lab", format_version "1", cell (torch.nn's name when the file
 * loads there unchanged, else ours), rnn_lab_cell, config, vocab, provenance (JSON), and
 * pytorch_compatible "true"/"false" with a note saying why not (the cell catalogue's torch entry).
 */
import { jsonLimitProblem } from '../../src-shared/json-limits.ts';
import { CELL_NAMES, CELLS, type CellName } from './cells/index.ts';
import { ConfigError, modelConfig, type ModelConfig, type ModelConfigInput } from './config.ts';
import { vocabProblem } from './data.ts';
import { Model } from './model.ts';
import { ModelFileError, quote, readSafetensors, writeSafetensors, type TensorData, type TensorToWrite } from './safetensors.ts';

export { ModelFileError } from './safetensors.ts';

const FORMAT = 'rnn-lab';
const FORMAT_VERSION = '1';

/** torch.nn's name for a cell it runs unchanged ('rnn', 'lstm', 'gru'), else undefined. */
function torchName(cell: CellName): string | undefined {
  return CELLS[cell].spec.torch.module?.toLowerCase();
}

/** The cells torch.nn runs unchanged. */
const TORCH_CELLS = CELL_NAMES.filter((c) => torchName(c) !== undefined);

/** Where one file tensor lives in the model: an engine tensor as is, transposed, or one row of it. */
interface Slot {
  file: string;
  /** shape in the file */
  shape: number[];
  engine: string;
  map: 'same' | 'transpose' | { row: number };
}

/** The file tensors a config needs, in the order they are written. */
function slots(config: ModelConfig): Slot[] {
  const { cell: cellName, vocabSize: V, hidden: H, layers: L, embedding: E } = config;
  const cell = CELLS[cellName];
  const GH = cell.gates * H;
  const out: Slot[] = [];
  if (E > 0) out.push({ file: 'embedding.weight', shape: [V, E], engine: 'embedding', map: 'same' });
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? (E > 0 ? E : V) : H;
    const keys = new Set(cell.params(I, H).map((p) => p.key));
    if (cellName === 'gru') {
      out.push({ file: `gru_cho.weight_ih_l${l}`, shape: [GH, I], engine: `l${l}.Wx`, map: 'transpose' });
      out.push({ file: `gru_cho.weight_hh_l${l}`, shape: [GH, H], engine: `l${l}.Wh`, map: 'transpose' });
      out.push({ file: `gru_cho.bias_l${l}`, shape: [GH], engine: `l${l}.bx`, map: 'same' });
      continue;
    }
    out.push({ file: `rnn.weight_ih_l${l}`, shape: [GH, I], engine: `l${l}.Wx`, map: 'transpose' });
    out.push({ file: `rnn.weight_hh_l${l}`, shape: [GH, H], engine: `l${l}.Wh`, map: 'transpose' });
    out.push({ file: `rnn.bias_ih_l${l}`, shape: [GH], engine: `l${l}.bx`, map: 'same' });
    out.push({ file: `rnn.bias_hh_l${l}`, shape: [GH], engine: `l${l}.bh`, map: 'same' });
    if (keys.has('peep')) {
      cell.spec.peepholes.forEach((gate, row) => {
        out.push({ file: `peephole.weight_${gate}_l${l}`, shape: [H], engine: `l${l}.peep`, map: { row } });
      });
    }
  }
  out.push({ file: 'decoder.weight', shape: [V, H], engine: 'decoder.W', map: 'transpose' });
  out.push({ file: 'decoder.bias', shape: [V], engine: 'decoder.b', map: 'same' });
  return out;
}

export interface ModelFileInfo {
  /** the string of each token id, vocab.length = vocabSize */
  vocab: string[];
  /** how the model was made: corpus hash, steps, seed, ... */
  provenance?: Record<string, unknown>;
}

/** The model as a safetensors file. Weights are written as float32 (an f64 model is rounded). */
export function saveModel(model: Model, info: ModelFileInfo): Uint8Array {
  const { config } = model;
  checkVocab(info.vocab, config.vocabSize);
  let provenance: string;
  try {
    provenance = JSON.stringify(info.provenance ?? {});
  } catch (e) {
    throw new ModelFileError(`provenance cannot be written as JSON: ${(e as Error).message}`, { cause: e });
  }
  const tensors: TensorToWrite[] = slots(config).map((s) => {
    const data = toFile(model, s);
    checkFinite(s.file, data, 'cannot save');
    return { name: s.file, shape: s.shape, data };
  });
  const torchCell = torchName(config.cell);
  const metadata: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    cell: torchCell ?? config.cell,
    rnn_lab_cell: config.cell,
    config: JSON.stringify(config),
    vocab: JSON.stringify(info.vocab),
    provenance,
    pytorch_compatible: torchCell ? 'true' : 'false',
  };
  const { torch } = CELLS[config.cell].spec;
  if (torch.module === null) metadata.note = torch.reason;
  return writeSafetensors(tensors, metadata);
}

export interface LoadedModel {
  model: Model;
  vocab: string[];
  provenance: Record<string, unknown>;
}

/** Reads a file written by saveModel, checking it against the config it declares. Model in f32. */
export function loadModel(bytes: Uint8Array): LoadedModel {
  const file = readSafetensors(bytes);
  const meta = file.metadata;
  const format = meta.get('format');
  if (format !== FORMAT) {
    const found = format === undefined ? 'no "format" in __metadata__' : `format ${quote(format)}`;
    throw new ModelFileError(`not an RNN Lab model file (${found}, expected ${quote(FORMAT)}); a file written by PyTorch can be imported with importTorchModel and its vocabulary`);
  }
  const version = meta.get('format_version');
  if (version !== FORMAT_VERSION) {
    throw new ModelFileError(`unsupported format_version ${version === undefined ? '(missing)' : quote(version)}; this version of RNN Lab reads ${quote(FORMAT_VERSION)}`);
  }
  const rawConfig = parseJsonField(meta, 'config');
  if (typeof rawConfig !== 'object' || rawConfig === null || Array.isArray(rawConfig)) {
    throw new ModelFileError('__metadata__ "config" must be a JSON object');
  }
  const config = checkedConfig(rawConfig as ModelConfigInput, 'config in __metadata__');
  const ourCell = meta.get('rnn_lab_cell');
  if (ourCell !== config.cell) {
    throw new ModelFileError(`__metadata__ "rnn_lab_cell" is ${ourCell === undefined ? 'missing' : quote(ourCell)} but the config's cell is ${quote(config.cell)}`);
  }
  const torchCell = meta.get('cell');
  if (torchCell !== (torchName(config.cell) ?? config.cell)) {
    throw new ModelFileError(`__metadata__ "cell" is ${torchCell === undefined ? 'missing' : quote(torchCell)}, which does not describe a ${quote(config.cell)} model`);
  }
  const vocab = parseJsonField(meta, 'vocab');
  checkVocab(vocab, config.vocabSize);
  const provenance = meta.has('provenance') ? parseJsonField(meta, 'provenance') : {};
  if (typeof provenance !== 'object' || provenance === null || Array.isArray(provenance)) {
    throw new ModelFileError('__metadata__ "provenance" must be a JSON object');
  }
  const model = fill(config, file.tensors);
  return { model, vocab: vocab as string[], provenance: provenance as Record<string, unknown> };
}

/**
 * Imports weights saved from torch.nn.RNN (tanh), LSTM or GRU, e.g. by torch_bench.py --save:
 * state_dict names with or without the "rnn." prefix, an optional embedding.weight (the V x V
 * identity stands for one-hot input), decoder.weight and decoder.bias. Biases may be absent
 * (bias=False), which is the same as zero biases. The vocabulary comes separately, as the file
 * does not carry it. The cell is __metadata__ "cell" if present, else inferred from the gate count.
 */
export function importTorchModel(bytes: Uint8Array, vocab: string[], provenance: Record<string, unknown> = {}): LoadedModel {
  const file = readSafetensors(bytes);
  const byName = new Map<string, TensorData>();
  for (const [name, t] of file.tensors) {
    const key = name.startsWith('rnn.') ? name : `rnn.${name}`;
    if (byName.has(key)) throw new ModelFileError(`tensor ${quote(name)} appears both with and without the "rnn." prefix`);
    byName.set(key, t);
  }
  const rename = (from: string, to: string): void => {
    const t = byName.get(from);
    if (t) {
      byName.delete(from);
      byName.set(to, t);
    }
  };
  rename('rnn.embedding.weight', 'embedding.weight');
  rename('rnn.decoder.weight', 'decoder.weight');
  rename('rnn.decoder.bias', 'decoder.bias');

  const wih = byName.get('rnn.weight_ih_l0');
  const whh = byName.get('rnn.weight_hh_l0');
  const dec = byName.get('decoder.weight');
  if (!wih || !whh || !dec) throw new ModelFileError('not a PyTorch RNN/LSTM/GRU file: needs weight_ih_l0, weight_hh_l0 and decoder.weight');
  if (whh.shape.length !== 2 || wih.shape.length !== 2 || dec.shape.length !== 2) {
    throw new ModelFileError('weight_ih_l0, weight_hh_l0 and decoder.weight must be matrices');
  }
  const H = whh.shape[1];
  const V = dec.shape[0];
  const nonlinearity = file.metadata.get('nonlinearity');
  if (nonlinearity !== undefined && nonlinearity !== 'tanh') throw new ModelFileError(`RNN nonlinearity ${quote(nonlinearity)} is not supported (only tanh)`);
  const declared = file.metadata.get('cell');
  const cell = declared === undefined
    ? TORCH_CELLS.find((c) => H > 0 && CELLS[c].gates * H === wih.shape[0])
    : TORCH_CELLS.find((c) => torchName(c) === declared);
  if (!cell) throw new ModelFileError(`cell ${declared === undefined ? '(cannot be inferred)' : quote(declared)} is not one of torch.nn's ${TORCH_CELLS.map(torchName).join(', ')}`);
  let layers = 0;
  while (byName.has(`rnn.weight_ih_l${layers}`)) layers++;

  let embedding = wih.shape[1];
  const emb = byName.get('embedding.weight');
  if (emb && emb.shape.length === 2 && emb.shape[0] === V && emb.shape[1] === V && embedding === V && isIdentity(emb.data, V)) {
    byName.delete('embedding.weight'); // one-hot input
    embedding = 0;
  } else if (!emb) {
    embedding = 0; // torch_ref's convention: no embedding means one-hot, so weight_ih_l0 has V columns
  }
  const config = checkedConfig({ cell, vocabSize: V, hidden: H, layers, embedding }, 'the PyTorch file');
  checkVocab(vocab, V);
  for (let l = 0; l < layers; l++) {
    const ih = `rnn.bias_ih_l${l}`;
    const hh = `rnn.bias_hh_l${l}`;
    if (!byName.has(ih) && !byName.has(hh)) {
      const GH = CELLS[cell].gates * H;
      byName.set(ih, { dtype: 'F32', shape: [GH], data: new Float32Array(GH) });
      byName.set(hh, { dtype: 'F32', shape: [GH], data: new Float32Array(GH) });
    }
  }
  if (!byName.has('decoder.bias')) byName.set('decoder.bias', { dtype: 'F32', shape: [V], data: new Float32Array(V) });
  return { model: fill(config, byName), vocab: vocab.slice(), provenance: { ...provenance } };
}

/**
 * Checks the tensors against the config (names, shapes, finite values) and only then allocates the
 * model, so its size is bounded by the file's.
 */
function fill(config: ModelConfig, tensors: Map<string, TensorData>): Model {
  const expected = slots(config);
  const names = new Set(expected.map((s) => s.file));
  for (const name of tensors.keys()) {
    if (!names.has(name)) throw new ModelFileError(`unexpected tensor ${quote(name)} in a ${describe(config)} model file`);
  }
  for (const s of expected) {
    const t = tensors.get(s.file);
    if (!t) throw new ModelFileError(`missing tensor ${quote(s.file)} (shape [${s.shape.join(', ')}]) for a ${describe(config)} model`);
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new ModelFileError(`tensor ${quote(s.file)} has shape [${t.shape.join(', ')}], expected [${s.shape.join(', ')}] for a ${describe(config)} model`);
    }
  }
  const model = new Model(config, 'f32');
  for (const s of expected) {
    const raw = tensors.get(s.file)!.data;
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw); // F64 beyond float32's range becomes infinite
    checkFinite(s.file, data, 'cannot load');
    fromFile(model, s, data);
  }
  return model;
}

function toFile(model: Model, s: Slot): Float32Array {
  const e = model.layout.find((x) => x.name === s.engine)!;
  const src = model.params.subarray(e.offset, e.offset + e.size);
  if (s.map === 'same') return Float32Array.from(src);
  if (s.map === 'transpose') {
    const [R, C] = e.shape; // engine (R, C) -> file (C, R)
    const out = new Float32Array(R * C);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = src[r * C + c];
    return out;
  }
  const n = e.shape[1];
  return Float32Array.from(src.subarray(s.map.row * n, (s.map.row + 1) * n));
}

function fromFile(model: Model, s: Slot, data: Float32Array): void {
  const e = model.layout.find((x) => x.name === s.engine)!;
  const dst = model.params.subarray(e.offset, e.offset + e.size);
  if (s.map === 'same') {
    dst.set(data);
  } else if (s.map === 'transpose') {
    const [R, C] = e.shape; // file (C, R) -> engine (R, C)
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) dst[r * C + c] = data[c * R + r];
  } else {
    dst.set(data, s.map.row * e.shape[1]);
  }
}

function checkedConfig(input: ModelConfigInput, where: string): ModelConfig {
  try {
    return modelConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) throw new ModelFileError(`${where} is invalid: ${e.message}`, { cause: e });
    throw e;
  }
}

function parseJsonField(meta: Map<string, string>, key: string): unknown {
  const raw = meta.get(key);
  if (raw === undefined) throw new ModelFileError(`__metadata__ has no ${quote(key)}`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new ModelFileError(`__metadata__ ${quote(key)} is not valid JSON: ${(e as Error).message}`);
  }
  const tooLarge = jsonLimitProblem(value);
  if (tooLarge !== null) throw new ModelFileError(`__metadata__ ${quote(key)} ${tooLarge}`);
  return value;
}

/** The engine's own vocabulary check (Vocab's), and one entry per token id. */
function checkVocab(vocab: unknown, V: number): asserts vocab is string[] {
  const problem = vocabProblem(vocab);
  if (problem !== null) throw new ModelFileError(`vocab ${problem}`);
  if ((vocab as string[]).length !== V) throw new ModelFileError(`vocab has ${(vocab as string[]).length} entries but the model's vocabSize is ${V}`);
}

function checkFinite(name: string, data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new ModelFileError(`${what}: tensor ${quote(name)} holds a non-finite value (${data[i]}) at index ${i}`);
  }
}

function isIdentity(data: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (data[i * n + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

function describe(c: ModelConfig): string {
  return `${c.cell} (V=${c.vocabSize}, H=${c.hidden}, layers=${c.layers}, ${c.embedding > 0 ? `embedding ${c.embedding}` : 'one-hot'})`;
}
