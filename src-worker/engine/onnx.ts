/**
 * ONNX export: a Model as an ONNX ModelProto (IR version 8, default-domain opset 14) that any ONNX
 * runtime can run, written with the small protobuf writer in protobuf.ts.
 *
 * The graph, for L layers of H units and a vocabulary of V characters:
 *
 *   ids (int64 [seq, batch])
 *     -> input:   Gather(embedding.weight (V, E), ids)            when the model has an embedding
 *                 OneHot(ids, depth V, values [0, 1])               for one-hot input (exact: the
 *                                                                    recurrent operator's X W^T picks a row)
 *     -> layer k: RNN (Tanh) | LSTM (P = peepholes) | GRU (linear_before_reset 0 for Cho, 1 for PyTorch's)
 *                 X [seq, batch, I] -> Y [seq, 1, batch, H] -> Squeeze(axis 1) -> [seq, batch, H]
 *                 initial_h (and initial_c) from h0_l{k} (c0_l{k}); final Y_h -> hn_l{k}, Y_c -> cn_l{k}
 *     -> decoder: MatMul(decoder.W (H, V)) + decoder.b -> logits (float [seq, batch, V], unnormalised)
 *
 * sequence 'step':  ids [1, batch]; h0_l{k} [1, batch, H] (and c0_l{k} for LSTMs) are inputs, so
 *                   a caller generates one character at a time feeding hn/cn back in.
 * sequence 'whole': ids [seq, batch]; the sequence starts from zero states, or, with
 *                   initialStates, from h0_l{k} (c0_l{k}) inputs as in 'step'.
 * seq and batch are symbolic dimensions ("seq", "batch"). Both forms output logits and the final
 * states. No dropout: the graph is the model at evaluation time.
 * (Optional graph inputs, i.e. inputs with an initializer as default, are valid ONNX, but
 * onnxruntime-web refuses to feed them, so whether the states are inputs is chosen at export.)
 *
 * Weights in ONNX's recurrent operators are W [1, G*H, I], R [1, G*H, H] (PyTorch's layout, the
 * transpose of ours), B [1, 2*G*H] = [Wb, Rb], with ONNX's own gate order (see onnxBlockOrder).
 * ONNX's equations match our cells exactly:
 *   LSTM i = s(.. + Pi c_{t-1}), f = s(.. + Pf c_{t-1}), c~ = tanh(..), o = s(.. + Po c_t)
 *   GRU  linear_before_reset=0: h~ = tanh(W_h x + (r (.) h_{t-1}) R_h^T + Rb_h + Wb_h)  (Cho: Rb = 0,
 *        our single bias in Wb); =1: h~ = tanh(W_h x + Wb_h + r (.) (h_{t-1} R_h^T + Rb_h))  (PyTorch's)
 *        h_t = (1 - z) (.) h~ + z (.) h_{t-1}
 * Config, vocabulary and provenance go into metadata_props as strings.
 */
import { gateBlocks, type CellSpec } from '../../src-shared/cells.ts';
import type { Vec } from './kernels.ts';
import type { Model } from './model.ts';
import { float32LE, int64LE, ProtoWriter } from './protobuf.ts';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 14;

export interface OnnxExportOptions {
  /** 'step': one character per run with the states as inputs; 'whole': a sequence per run */
  sequence: 'step' | 'whole';
  /** 'whole' only: take the initial states as inputs (default: start from zeros). 'step' always does. */
  initialStates?: boolean;
  /** the string of each token id, written to metadata_props "vocab" */
  vocab?: string[];
  /** how the model was made, written to metadata_props "provenance" as JSON */
  provenance?: Record<string, unknown>;
}

/** onnxBlockOrder(spec)[k] is the block of ours that goes into ONNX's block k (spec.onnxGates names them). */
function onnxBlockOrder(spec: CellSpec): number[] {
  const ours = spec.gates.map((g) => g.name);
  return spec.onnxGates?.map((name) => ours.indexOf(name)) ?? Array.from({ length: gateBlocks(spec) }, (_, k) => k);
}

/** onnxPeepholeOrder(spec)[k] is the row of our peep that goes into ONNX's P row k: ONNX orders them as its gates. */
function onnxPeepholeOrder(spec: CellSpec): number[] {
  return (spec.onnxGates ?? []).filter((name) => spec.peepholes.includes(name)).map((name) => spec.peepholes.indexOf(name));
}

/** Our (I, G*H) weight as ONNX's (G*H, I): transposed, blocks in ONNX's order. */
function onnxWeight(src: Vec, I: number, H: number, order: readonly number[]): Float32Array {
  const GH = order.length * H;
  const out = new Float32Array(GH * I);
  order.forEach((ours, k) => {
    for (let j = 0; j < H; j++) {
      const row = (k * H + j) * I;
      const col = ours * H + j;
      for (let i = 0; i < I; i++) out[row + i] = src[i * GH + col];
    }
  });
  return out;
}

/** A (G*H) bias (or, null, zeros) with blocks in ONNX's order. */
function onnxBias(src: Vec | null, H: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * H);
  if (src) order.forEach((ours, k) => out.set(src.subarray(ours * H, (ours + 1) * H), k * H));
  return out;
}

// ---- ONNX protobuf messages (field numbers from onnx.proto) ----

/** TensorProto.DataType values we use */
const DataType = { FLOAT: 1, INT64: 7 } as const;
type DataType = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values we use */
const AttrType = { INT: 2, STRING: 3, INTS: 7, STRINGS: 8 } as const;

type Dim = number | string; // a fixed size or a symbolic name

type Attr = { name: string } & ({ i: number } | { s: string } | { ints: number[] } | { strings: string[] });

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 */
function tensorProto(name: string, dataType: DataType, dims: number[], raw: Uint8Array): ProtoWriter {
  return new ProtoWriter().ints(1, dims).int(2, dataType).string(8, name).bytes(9, raw);
}

/** ValueInfoProto: name 1, type 2 -> TypeProto.tensor_type 1 -> { elem_type 1, shape 2 -> dim 1 -> { dim_value 1 | dim_param 2 } } */
function valueInfo(name: string, elemType: DataType, dims: Dim[], doc?: string): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const v = new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
  if (doc) v.string(3, doc);
  return v;
}

/** AttributeProto: name 1, i 3, s 4, ints 8, strings 9, type 20 */
function attribute(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ('i' in a) w.int(3, a.i).int(20, AttrType.INT);
  else if ('s' in a) w.string(4, a.s).int(20, AttrType.STRING);
  else if ('ints' in a) w.ints(8, a.ints).int(20, AttrType.INTS);
  else w.strings(9, a.strings).int(20, AttrType.STRINGS);
  return w;
}

/** Collects a graph's nodes, initializers, inputs and outputs, then writes the GraphProto. */
class GraphBuilder {
  private readonly nodes: ProtoWriter[] = [];
  private readonly initializers: ProtoWriter[] = [];
  private readonly inputs: ProtoWriter[] = [];
  private readonly outputs: ProtoWriter[] = [];

  /** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. An input '' is an omitted optional input. */
  node(opType: string, name: string, inputs: string[], outputs: string[], attrs: Attr[] = []): void {
    const n = new ProtoWriter().strings(1, inputs).strings(2, outputs).string(3, name).string(4, opType);
    for (const a of attrs) n.message(5, attribute(a));
    this.nodes.push(n);
  }

  floats(name: string, dims: number[], values: ArrayLike<number>): string {
    this.initializers.push(tensorProto(name, DataType.FLOAT, dims, float32LE(values)));
    return name;
  }

  int64s(name: string, dims: number[], values: number[]): string {
    this.initializers.push(tensorProto(name, DataType.INT64, dims, int64LE(values)));
    return name;
  }

  input(name: string, elemType: DataType, dims: Dim[], doc: string): string {
    this.inputs.push(valueInfo(name, elemType, dims, doc));
    return name;
  }

  output(name: string, elemType: DataType, dims: Dim[], doc: string): void {
    this.outputs.push(valueInfo(name, elemType, dims, doc));
  }

  /** GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12 */
  build(name: string, doc: string): ProtoWriter {
    const g = new ProtoWriter();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, name);
    for (const t of this.initializers) g.message(5, t);
    g.string(10, doc);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    return g;
  }
}

/** The model as an ONNX file (see the top of this file). Weights are float32 (an f64 model is rounded). */
export function exportOnnx(model: Model, opts: OnnxExportOptions): Uint8Array {
  const { config } = model;
  const { cell: cellName, vocabSize: V, hidden: H, layers: L, embedding: E } = config;
  const step = opts.sequence === 'step';
  if (!step && opts.sequence !== 'whole') throw new RangeError(`sequence must be 'step' or 'whole', got ${String(opts.sequence)}`);
  if (opts.vocab && opts.vocab.length !== V) throw new RangeError(`vocab has ${opts.vocab.length} entries but the model's vocabSize is ${V}`);
  const spec = model.cell.spec;
  const order = onnxBlockOrder(spec);
  const op = spec.onnxOp;
  const lstm = op === 'LSTM';
  const seq: Dim = step ? 1 : 'seq';
  const g = new GraphBuilder();

  const ids = g.input('ids', DataType.INT64, [seq, 'batch'], 'token ids, time-major [seq, batch]');

  // input: embedding rows, or one-hot vectors
  let x: string;
  if (E > 0) {
    const table = g.floats('embedding.weight', [V, E], model.embedding!);
    g.node('Gather', 'embedding', [table, ids], ['embedded'], [{ name: 'axis', i: 0 }]);
    x = 'embedded';
  } else {
    const depth = g.int64s('one_hot.depth', [], [V]);
    const values = g.floats('one_hot.values', [2], [0, 1]);
    g.node('OneHot', 'one_hot', [ids, depth, values], ['one_hot'], [{ name: 'axis', i: -1 }]);
    x = 'one_hot';
  }

  const withStates = step || opts.initialStates === true;
  /** A state input of the graph, or '' (the operator's default, zeros) when the states are not inputs. */
  const stateInput = (name: string, what: string, layer: number): string => {
    if (!withStates) return '';
    g.input(name, DataType.FLOAT, [1, 'batch', H], `${what} of layer ${layer} [1, batch, ${H}]`);
    return name;
  };

  const squeezeAxes = g.int64s('squeeze_axes', [1], [1]);
  for (let l = 0; l < L; l++) {
    const { p, inputSize: I } = model.layers[l];
    const GH = order.length * H;
    const W = g.floats(`l${l}.W`, [1, GH, I], onnxWeight(p.Wx, I, H, order));
    const R = g.floats(`l${l}.R`, [1, GH, H], onnxWeight(p.Wh, H, H, order));
    const bias = new Float32Array(2 * GH);
    bias.set(onnxBias(p.bx, H, order), 0);
    bias.set(onnxBias(p.bh, H, order), GH); // Cho GRU: bh is null, Rb = 0
    const B = g.floats(`l${l}.B`, [1, 2 * GH], bias);
    const h0 = stateInput(`h0_l${l}`, 'initial hidden state', l);
    const inputs = [x, W, R, B, '', h0]; // '' = sequence_lens (all sequences full length)
    const outputs = [`l${l}.Y`, `hn_l${l}`];
    const attrs: Attr[] = [{ name: 'hidden_size', i: H }, { name: 'direction', s: 'forward' }];
    if (lstm) {
      inputs.push(stateInput(`c0_l${l}`, 'initial cell state', l));
      outputs.push(`cn_l${l}`);
      if (p.peep) {
        const rows = onnxPeepholeOrder(spec);
        const P = new Float32Array(rows.length * H);
        rows.forEach((ours, k) => P.set(p.peep!.subarray(ours * H, (ours + 1) * H), k * H));
        inputs.push(g.floats(`l${l}.P`, [1, rows.length * H], P));
      }
      attrs.push({ name: 'activations', strings: ['Sigmoid', 'Tanh', 'Tanh'] });
    } else if (op === 'GRU') {
      attrs.push({ name: 'activations', strings: ['Sigmoid', 'Tanh'] });
      attrs.push({ name: 'linear_before_reset', i: cellName === 'gru-reset-after' ? 1 : 0 });
    } else {
      attrs.push({ name: 'activations', strings: ['Tanh'] });
    }
    while (inputs[inputs.length - 1] === '') inputs.pop(); // trailing omitted optional inputs
    g.node(op, `l${l}`, inputs, outputs, attrs);
    g.node('Squeeze', `l${l}.squeeze`, [`l${l}.Y`, squeezeAxes], [`l${l}.out`]);
    x = `l${l}.out`;
  }

  const Wd = g.floats('decoder.W', [H, V], model.Wd);
  const bd = g.floats('decoder.b', [V], model.bd);
  g.node('MatMul', 'decoder.matmul', [x, Wd], ['decoder.xW']);
  g.node('Add', 'decoder.add', ['decoder.xW', bd], ['logits']);

  g.output('logits', DataType.FLOAT, [seq, 'batch', V], 'next-character logits [seq, batch, V] (softmax gives the probabilities)');
  for (let l = 0; l < L; l++) {
    g.output(`hn_l${l}`, DataType.FLOAT, [1, 'batch', H], `final hidden state of layer ${l}`);
    if (lstm) g.output(`cn_l${l}`, DataType.FLOAT, [1, 'batch', H], `final cell state of layer ${l}`);
  }

  const desc = `RNN Lab ${cellName} model: ${L} layer(s) of ${H}, vocabulary ${V}, ${E > 0 ? `embedding ${E}` : 'one-hot input'}; ${step ? 'one step per run' : 'a whole sequence per run'}`;
  const graph = g.build(`rnn_lab_${cellName.replace(/-/g, '_')}`, desc);

  const metadata: Record<string, string> = {
    format: 'rnn-lab',
    rnn_lab_cell: cellName,
    config: JSON.stringify(config),
    sequence: opts.sequence,
    inputs: `ids int64 [seq, batch]${withStates ? `; h0_l{k}${lstm ? ', c0_l{k}' : ''} float [1, batch, H]` : ' (initial states zero)'}`,
    outputs: `logits float [seq, batch, V]; hn_l{k}${lstm ? ', cn_l{k}' : ''} float [1, batch, H]`,
  };
  if (opts.vocab) metadata.vocab = JSON.stringify(opts.vocab);
  if (opts.provenance) metadata.provenance = JSON.stringify(opts.provenance);

  // ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
  // opset_import 8 (OperatorSetIdProto: domain 1, version 2), metadata_props 14 (key 1, value 2)
  const m = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'rnn-lab')
    .string(3, '1')
    .string(6, desc)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(metadata)) m.message(14, new ProtoWriter().string(1, key).string(2, value));
  return m.finish();
}
