// ONNX export: the file's structure decoded from its own bytes (no runtime needed), the gate
// reordering checked on the weights, and, with onnxruntime-web (WebAssembly, in Node), the same
// next-character distribution and final states as our engine for every cell, one-hot and
// embedding, 1 and 2 layers, whole-sequence and one-step-at-a-time graphs.
import { afterAll, describe, expect, it } from 'vitest';
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET } from '../../src-worker/engine/onnx.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

type Ort = typeof import('onnxruntime-web');
const ort: Ort | null = await import('onnxruntime-web').catch(() => null);
if (ort) {
  ort.env.wasm.numThreads = 1;
}

const VOCAB = ['a', 'b', 'c', ' ', '\n', 'é', '.'];
const V = VOCAB.length;
const H = 5;

function makeModel(cell: CellName, layers: number, embedding: number, seed = 11): Model {
  const model = new Model({ cell, vocabSize: V, hidden: H, layers, embedding }, 'f32');
  model.init(new Rng(seed));
  return model;
}

// ---- a minimal protobuf reader, for the structural tests ----

interface Field {
  field: number;
  wire: number;
  /** varints as bigint, length-delimited fields as bytes */
  value: bigint | Uint8Array;
}

function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      if (pos + n > buf.length) throw new Error('truncated field');
      out.push({ field, wire, value: buf.subarray(pos, pos + n) });
      pos += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const all = (fs: Field[], n: number): Field[] => fs.filter((f) => f.field === n);
const one = (fs: Field[], n: number): Field => {
  const found = all(fs, n);
  expect(found.length, `field ${n}`).toBe(1);
  return found[0];
};
const bytesOf = (fs: Field[], n: number): Uint8Array => one(fs, n).value as Uint8Array;
const intOf = (fs: Field[], n: number): bigint => one(fs, n).value as bigint;

/** ValueInfoProto -> "name: [d0, d1, ...]" with symbolic dims by name */
function describeValue(vi: Uint8Array): string {
  const f = readFields(vi);
  const tensorType = readFields(bytesOf(readFields(bytesOf(f, 2)), 1));
  const elem = Number(intOf(tensorType, 1));
  const dims = all(readFields(bytesOf(tensorType, 2)), 1).map((d) => {
    const df = readFields(d.value as Uint8Array);
    const v = df.find((x) => x.field === 1);
    return v ? String(v.value) : text(bytesOf(df, 2));
  });
  return `${text(bytesOf(f, 1))}: ${elem === 7 ? 'int64' : elem === 1 ? 'float' : elem} [${dims.join(', ')}]`;
}

interface Decoded {
  irVersion: bigint;
  opsets: { domain: string; version: bigint }[];
  inputs: string[];
  outputs: string[];
  ops: string[];
  initializers: Map<string, { dims: number[]; data: Float32Array | BigInt64Array }>;
  nodes: { op: string; inputs: string[]; attrs: Map<string, Field[]> }[];
  metadata: Map<string, string>;
}

function decode(bytes: Uint8Array): Decoded {
  const m = readFields(bytes);
  const graph = readFields(bytesOf(m, 7));
  const initializers = new Map<string, { dims: number[]; data: Float32Array | BigInt64Array }>();
  for (const t of all(graph, 5)) {
    const tf = readFields(t.value as Uint8Array);
    const raw = bytesOf(tf, 9).slice(); // aligned copy
    const type = Number(intOf(tf, 2));
    initializers.set(text(bytesOf(tf, 8)), {
      dims: all(tf, 1).map((d) => Number(d.value)),
      data: type === 1 ? new Float32Array(raw.buffer) : new BigInt64Array(raw.buffer),
    });
  }
  const nodes = all(graph, 1).map((n) => {
    const nf = readFields(n.value as Uint8Array);
    const attrs = new Map<string, Field[]>();
    for (const a of all(nf, 5)) {
      const af = readFields(a.value as Uint8Array);
      attrs.set(text(bytesOf(af, 1)), af);
    }
    return { op: text(bytesOf(nf, 4)), inputs: all(nf, 1).map((f) => text(f.value as Uint8Array)), attrs };
  });
  return {
    irVersion: intOf(m, 1),
    opsets: all(m, 8).map((o) => {
      const of = readFields(o.value as Uint8Array);
      const d = of.find((x) => x.field === 1);
      return { domain: d ? text(d.value as Uint8Array) : '', version: intOf(of, 2) };
    }),
    inputs: all(graph, 11).map((f) => describeValue(f.value as Uint8Array)),
    outputs: all(graph, 12).map((f) => describeValue(f.value as Uint8Array)),
    ops: nodes.map((n) => n.op),
    initializers,
    nodes,
    metadata: new Map(all(m, 14).map((e) => {
      const ef = readFields(e.value as Uint8Array);
      return [text(bytesOf(ef, 1)), text(bytesOf(ef, 2))];
    })),
  };
}

describe('ONNX export: structure', () => {
  it('writes IR version 8, opset 14, named inputs and outputs with symbolic seq and batch, and metadata', () => {
    const model = makeModel('lstm-peephole', 2, 0);
    const whole = decode(exportOnnx(model, { sequence: 'whole', vocab: VOCAB, provenance: { seed: 11 } }));
    expect(whole.irVersion).toBe(BigInt(ONNX_IR_VERSION));
    expect(ONNX_IR_VERSION).toBe(8);
    expect(whole.opsets).toEqual([{ domain: '', version: BigInt(ONNX_OPSET) }]);
    expect(whole.inputs).toEqual(['ids: int64 [seq, batch]']); // zero initial states
    const outputs = [
      'hn_l0: float [1, batch, 5]',
      'cn_l0: float [1, batch, 5]',
      'hn_l1: float [1, batch, 5]',
      'cn_l1: float [1, batch, 5]',
    ];
    expect(whole.outputs).toEqual(['logits: float [seq, batch, 7]', ...outputs]);
    expect(whole.ops.filter((op) => op === 'LSTM')).toHaveLength(2);
    expect(whole.ops).toContain('OneHot');
    expect(whole.nodes.find((n) => n.op === 'LSTM')!.inputs).toEqual(['one_hot', 'l0.W', 'l0.R', 'l0.B', '', '', '', 'l0.P']);
    expect(JSON.parse(whole.metadata.get('vocab')!)).toEqual(VOCAB);
    expect(JSON.parse(whole.metadata.get('config')!)).toEqual(model.config);
    expect(JSON.parse(whole.metadata.get('provenance')!)).toEqual({ seed: 11 });
    expect(whole.metadata.get('sequence')).toBe('whole');

    const states = [
      'h0_l0: float [1, batch, 5]',
      'c0_l0: float [1, batch, 5]',
      'h0_l1: float [1, batch, 5]',
      'c0_l1: float [1, batch, 5]',
    ];
    const fromStates = decode(exportOnnx(model, { sequence: 'whole', initialStates: true }));
    expect(fromStates.inputs).toEqual(['ids: int64 [seq, batch]', ...states]);
    expect(fromStates.outputs).toEqual(['logits: float [seq, batch, 7]', ...outputs]);

    const step = decode(exportOnnx(model, { sequence: 'step' }));
    expect(step.inputs).toEqual(['ids: int64 [1, batch]', ...states]);
    expect(step.outputs).toEqual(['logits: float [1, batch, 7]', ...outputs]);
    expect(step.metadata.has('vocab')).toBe(false);

    const gru = decode(exportOnnx(makeModel('gru', 1, 0), { sequence: 'step' }));
    expect(gru.inputs).toEqual(['ids: int64 [1, batch]', 'h0_l0: float [1, batch, 5]']);
    expect(gru.outputs).toEqual(['logits: float [1, batch, 7]', 'hn_l0: float [1, batch, 5]']);
  });

  it('uses Gather on the embedding table, and the right operator and attributes per cell', () => {
    const expected: Record<CellName, { op: string; lbr?: bigint; peep: boolean }> = {
      rnn: { op: 'RNN', peep: false },
      lstm: { op: 'LSTM', peep: false },
      'lstm-peephole': { op: 'LSTM', peep: true },
      gru: { op: 'GRU', lbr: 0n, peep: false },
      'gru-reset-after': { op: 'GRU', lbr: 1n, peep: false },
    };
    for (const cell of CELL_NAMES) {
      const d = decode(exportOnnx(makeModel(cell, 1, 3), { sequence: 'step' }));
      expect(d.ops[0]).toBe('Gather');
      expect(d.initializers.get('embedding.weight')!.dims).toEqual([V, 3]);
      const node = d.nodes.find((n) => n.op === expected[cell].op)!;
      expect(node, cell).toBeDefined();
      expect(intOf(node.attrs.get('hidden_size')!, 3)).toBe(BigInt(H));
      if (expected[cell].lbr !== undefined) expect(intOf(node.attrs.get('linear_before_reset')!, 3)).toBe(expected[cell].lbr);
      expect(node.inputs.length === 8 && node.inputs[7] === 'l0.P').toBe(expected[cell].peep);
      expect(node.inputs.slice(0, 6)).toEqual(['embedded', 'l0.W', 'l0.R', 'l0.B', '', 'h0_l0']); // no sequence_lens
    }
  });

  it('reorders gate blocks into ONNX order and transposes the weights', () => {
    // LSTM: ours i f g o -> ONNX i o f c; GRU: ours r z n -> ONNX z r h
    const cases: [CellName, number[]][] = [['lstm-peephole', [0, 3, 1, 2]], ['gru-reset-after', [1, 0, 2]], ['gru', [1, 0, 2]]];
    for (const [cell, order] of cases) {
      const model = makeModel(cell, 1, 0);
      const d = decode(exportOnnx(model, { sequence: 'whole' }));
      const { p } = model.layers[0];
      const GH = order.length * H;
      const W = d.initializers.get('l0.W')!;
      const R = d.initializers.get('l0.R')!;
      const B = d.initializers.get('l0.B')!;
      expect(W.dims).toEqual([1, GH, V]);
      expect(R.dims).toEqual([1, GH, H]);
      expect(B.dims).toEqual([1, 2 * GH]);
      order.forEach((ours, k) => {
        for (let j = 0; j < H; j++) {
          for (let i = 0; i < V; i++) expect(W.data[(k * H + j) * V + i]).toBe(p.Wx[i * GH + ours * H + j]);
          for (let i = 0; i < H; i++) expect(R.data[(k * H + j) * H + i]).toBe(p.Wh[i * GH + ours * H + j]);
          expect(B.data[k * H + j]).toBe(p.bx[ours * H + j]);
          expect(B.data[GH + k * H + j]).toBe(p.bh ? p.bh[ours * H + j] : 0); // Cho GRU: Rb = 0
        }
      });
      if (p.peep) {
        const P = d.initializers.get('l0.P')!;
        // ours p_i p_f p_o -> ONNX p_i p_o p_f
        [0, 2, 1].forEach((ours, k) => {
          for (let j = 0; j < H; j++) expect(P.data[k * H + j]).toBe(p.peep![ours * H + j]);
        });
      }
    }
  });

  it('writes a float64 model as float32, the same bytes as its rounded float32 copy', () => {
    const m64 = new Model({ cell: 'gru', vocabSize: V, hidden: H, layers: 2, embedding: 4 }, 'f64');
    m64.init(new Rng(5));
    const m32 = new Model(m64.config, 'f32');
    m32.params.set(m64.params);
    expect(exportOnnx(m64, { sequence: 'whole' })).toEqual(exportOnnx(m32, { sequence: 'whole' }));
  });

  it('refuses a vocabulary of the wrong size and an unknown sequence mode', () => {
    const model = makeModel('rnn', 1, 0);
    expect(() => exportOnnx(model, { sequence: 'whole', vocab: ['a'] })).toThrow(/vocab has 1 entries/);
    expect(() => exportOnnx(model, { sequence: 'all' as 'whole' })).toThrow(/sequence must be/);
  });
});

// ---- against a real runtime ----

/** Our engine on T steps of B streams from the given initial states (zeros when absent). */
function engineRun(model: Model, ids: number[], T: number, B: number, h0?: Float32Array[], c0?: Float32Array[]) {
  const ws = model.workspace(T, B);
  ws.inputs.set(ids);
  model.layers.forEach((_, l) => {
    if (h0) ws.layers[l].hs.set(h0[l], 0);
    if (c0) ws.layers[l].cs!.set(c0[l], 0);
  });
  model.forward(naiveKernels, ws);
  const logp = Float64Array.from(ws.probs, Math.log);
  const n = B * H;
  const hn = ws.layers.map((w) => w.hs.slice(T * n, (T + 1) * n));
  const cn = model.cell.hasCellState ? ws.layers.map((w) => w.cs!.slice(T * n, (T + 1) * n)) : [];
  return { logp, hn, cn };
}

function logSoftmax(logits: Float32Array, V: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let o = 0; o < logits.length; o += V) {
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, logits[o + j]);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(logits[o + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < V; j++) out[o + j] = logits[o + j] - lse;
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function randomStates(rng: Rng, L: number, B: number): Float32Array[] {
  return Array.from({ length: L }, () => Float32Array.from({ length: B * H }, () => rng.uniformIn(-0.9, 0.9)));
}

/**
 * Tolerance on log-probabilities and states. Both sides hold float32 values; our naive kernels
 * accumulate products in float64 and ONNX Runtime in float32 (and in a different order, with its
 * own tanh and sigmoid), so the results differ by a few float32 roundings per step.
 */
const TOL = 1e-5;

const measured: string[] = [];

describe.skipIf(!ort)(`ONNX export: runs in onnxruntime-web${ort ? '' : ' (skipped: onnxruntime-web could not be imported)'}`, () => {
  const T = 7;
  const B = 3;

  afterAll(() => {
    if (measured.length) console.log(`max |difference| against our engine (log-probabilities, states):\n${measured.join('\n')}`);
  });

  for (const cell of CELL_NAMES) {
    for (const embedding of [0, 4]) {
      for (const layers of [1, 2]) {
        const label = `${cell}, ${embedding ? `embedding ${embedding}` : 'one-hot'}, ${layers} layer${layers > 1 ? 's' : ''}`;
        it(label, async () => {
          const model = makeModel(cell, layers, embedding, 100 + layers * 10 + embedding);
          const lstm = model.cell.hasCellState;
          const rng = new Rng(7);
          const ids = Array.from({ length: T * B }, () => rng.below(V));
          const h0 = randomStates(rng, layers, B);
          const c0 = lstm ? randomStates(rng, layers, B) : undefined;
          const idTensor = (from: number, steps: number) =>
            new ort!.Tensor('int64', BigInt64Array.from(ids.slice(from * B, (from + steps) * B), BigInt), [steps, B]);
          const state = (s: Float32Array) => new ort!.Tensor('float32', s, [1, B, H]);
          const stateFeeds = (hs: Float32Array[], cs?: Float32Array[]) => {
            const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
            hs.forEach((s, l) => (feeds[`h0_l${l}`] = state(s)));
            cs?.forEach((s, l) => (feeds[`c0_l${l}`] = state(s)));
            return feeds;
          };
          const f32 = (t: InstanceType<Ort['Tensor']>) => t.data as Float32Array;

          // whole sequence from zero states, which are not inputs
          const fromZero = await ort!.InferenceSession.create(exportOnnx(model, { sequence: 'whole', vocab: VOCAB }));
          expect(fromZero.inputNames).toEqual(['ids']);
          const ref0 = engineRun(model, ids, T, B);
          const out0 = await fromZero.run({ ids: idTensor(0, T) });
          expect(out0.logits.dims).toEqual([T, B, V]);
          let dLogp = maxDiff(logSoftmax(f32(out0.logits), V), ref0.logp);
          let dState = 0;
          for (let l = 0; l < layers; l++) {
            dState = Math.max(dState, maxDiff(f32(out0[`hn_l${l}`]), ref0.hn[l]));
            if (lstm) dState = Math.max(dState, maxDiff(f32(out0[`cn_l${l}`]), ref0.cn[l]));
          }

          // whole sequence from given states
          const whole = await ort!.InferenceSession.create(exportOnnx(model, { sequence: 'whole', initialStates: true }));
          const ref = engineRun(model, ids, T, B, h0, c0);
          const out = await whole.run({ ids: idTensor(0, T), ...stateFeeds(h0, c0) });
          const wholeLogp = logSoftmax(f32(out.logits), V);
          dLogp = Math.max(dLogp, maxDiff(wholeLogp, ref.logp));
          for (let l = 0; l < layers; l++) {
            dState = Math.max(dState, maxDiff(f32(out[`hn_l${l}`]), ref.hn[l]));
            if (lstm) dState = Math.max(dState, maxDiff(f32(out[`cn_l${l}`]), ref.cn[l]));
          }

          // one step at a time, feeding the states back, equals the whole sequence
          const stepper = await ort!.InferenceSession.create(exportOnnx(model, { sequence: 'step' }));
          let hs = h0;
          let cs = c0;
          let dStep = 0;
          for (let t = 0; t < T; t++) {
            const o = await stepper.run({ ids: idTensor(t, 1), ...stateFeeds(hs, cs) });
            expect(o.logits.dims).toEqual([1, B, V]);
            dStep = Math.max(dStep, maxDiff(logSoftmax(f32(o.logits), V), wholeLogp.subarray(t * B * V, (t + 1) * B * V)));
            hs = hs.map((_, l) => f32(o[`hn_l${l}`]));
            if (cs) cs = cs.map((_, l) => f32(o[`cn_l${l}`]));
          }
          for (let l = 0; l < layers; l++) {
            dStep = Math.max(dStep, maxDiff(hs[l], f32(out[`hn_l${l}`])));
            if (cs) dStep = Math.max(dStep, maxDiff(cs[l], f32(out[`cn_l${l}`])));
          }

          measured.push(`  ${label.padEnd(36)} logp ${dLogp.toExponential(2)}  states ${dState.toExponential(2)}  step vs whole ${dStep.toExponential(2)}`);
          expect(dLogp).toBeLessThan(TOL);
          expect(dState).toBeLessThan(TOL);
          expect(dStep).toBeLessThan(TOL);
          await Promise.all([fromZero.release(), whole.release(), stepper.release()]);
        });
      }
    }
  }
});
