// The engine against PyTorch 1.13 (float32, CPU) on the cells torch.nn has: our 'rnn' = nn.RNN
// (tanh), 'lstm' = nn.LSTM, 'gru-reset-after' = nn.GRU; one layer with one-hot input and two layers
// with an embedding. The fixture and the script that made it: test/fixtures/torch-golden.json,
// test/fixtures/make_torch_golden.py (its docstring says what each value is).
//
// Tolerances. Both sides hold float32 weights; PyTorch computes in float32, the engine accumulates
// its products in float64 but stores activations in float32, so one forward pass differs by a few
// float32 roundings (~1e-7 relative). Differences are absolute, and relative where PyTorch's value
// is larger than 1 (a loss of 6 nats has an ulp of 5e-7: 1e-6 absolute would be two roundings):
//   - forward values (outputs, final states, logits, per-position and mean loss): 1e-6;
//   - gradients of one window: 1e-6 (they are of order 0.01 to 1);
//   - 10 steps of Adam with clipping: losses and gradient norms 1e-5 relative, final weights 1e-5
//     (Adam moves each weight by about lr = 0.01 per step whatever the gradient's size, so its
//     rounding does not shrink with the gradient).
// Measured (naive and blocked kernels alike): at most 4.4e-7 forward, 1.5e-7 gradients, 7.4e-7
// relative Adam losses and norms, 7.2e-7 final weights.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import { trainConfig } from '../../src-worker/engine/config.ts';
import { naiveKernels, type Kernels, type Vec } from '../../src-worker/engine/kernels.ts';
import { blockedKernels } from '../../src-worker/engine/kernels-blocked.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { wasmFmaSupported, wasmSimdSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { Model, type Workspace } from '../../src-worker/engine/model.ts';
import { importTorchModel, saveModel } from '../../src-worker/engine/model-file.ts';
import { clipByGlobalNorm, globalNorm, Optimizer } from '../../src-worker/engine/optim.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
// relaxed SIMD on, as in the workers, so the wasm-fma kernels (fused multiply-adds and gate passes) are held to the same values
import '../../src-worker/wasm-features.ts';

const FORWARD_ABS = 1e-6;
const GRAD_ABS = 1e-6;
const ADAM_REL = 1e-5;
const WEIGHT_ABS = 1e-5;

interface Tensor {
  shape: number[];
  data: number[];
}
type StateDict = Record<string, Tensor>;
interface Case {
  name: string;
  config: { cell: CellName; V: number; H: number; L: number; E: number; T: number; B: number };
  init: StateDict;
  forward: {
    inputs: number[][];
    targets: number[][];
    h0: number[];
    c0?: number[];
    outputs: number[];
    hn: number[];
    cn?: number[];
    logits0: number[];
    nll: number[];
    loss: number;
    grads: Record<string, number[]>;
  };
  adam: {
    lr: number;
    betas: [number, number];
    eps: number;
    maxNorm: number;
    steps: { inputs: number[][]; targets: number[][]; loss: number; gradNorm: number }[];
    final: StateDict;
  };
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/torch-golden.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case[];
};

const KERNELS: Kernels[] = [naiveKernels, blockedKernels, ...(wasmSimdSupported() ? [createKernels('wasm')] : []), ...(wasmFmaSupported() ? [createKernels('wasm-fma')] : [])];

/** The model with its weights in the kernels' own memory, where they have one (the wasm kernels). */
function onKernels(model: Model, k: Kernels): Model {
  if (!k.alloc) return model;
  const moved = new Model(model.config, 'f32', k.alloc.bind(k));
  moved.params.set(model.params);
  return moved;
}

const VOCAB = (V: number): string[] => Array.from({ length: V }, (_, i) => String.fromCharCode(97 + i));

// The PyTorch <-> engine mapping (names, transposed weights) is model-file.ts's: models are built by
// importTorchModel from a safetensors file of the fixture's state_dict, and read back with saveModel.
function fromTorch(c: Case, dict: StateDict): Model {
  const torchCell = { rnn: 'rnn', lstm: 'lstm', 'gru-reset-after': 'gru' }[c.config.cell as string]!;
  const tensors = Object.entries(dict).map(([name, t]) => ({ name, shape: t.shape, data: Float32Array.from(t.data) }));
  const { model } = importTorchModel(writeSafetensors(tensors, { cell: torchCell }), VOCAB(c.config.V));
  const { cell, V, H, L, E } = c.config;
  expect(model.config).toMatchObject({ cell, vocabSize: V, hidden: H, layers: L, embedding: E, dropout: 0 });
  expect(model.dtype).toBe('f32');
  return model;
}

/** The tensors of a flat buffer laid out like model.params (the params or the grads), by PyTorch name. */
function toTorch(model: Model, buf: Vec): Map<string, Float32Array> {
  const copy = new Model(model.config, 'f32');
  copy.params.set(buf);
  const file = readSafetensors(saveModel(copy, { vocab: VOCAB(model.config.vocabSize) }));
  return new Map([...file.tensors].map(([name, t]) => [name, t.data as Float32Array]));
}

/** max |a - b| / max(1, |b|): the absolute difference, relative where PyTorch's value exceeds 1 */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

function setIds(dst: Int32Array, ids: number[][]): void {
  const B = ids[0].length;
  ids.forEach((row, t) => row.forEach((id, b) => (dst[t * B + b] = id)));
}

describe.each(KERNELS.map((k) => [k.name, k] as const))('PyTorch golden values, %s kernels', (_kname, k) => {
  describe.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { L, T, B, H, V } = c.config;
    const f = c.forward;
    const n = B * H;
    /** The model at PyTorch's initial weights, with the forward window and its initial state loaded. */
    const setup = (): { model: Model; ws: Workspace } => {
      const model = onKernels(fromTorch(c, c.init), k);
      const ws = model.workspace(T, B);
      setIds(ws.inputs, f.inputs);
      setIds(ws.targets, f.targets);
      ws.layers.forEach((w, l) => {
        w.hs.set(f.h0.slice(l * n, (l + 1) * n));
        if (w.cs) w.cs.set(f.c0!.slice(l * n, (l + 1) * n));
      });
      return { model, ws };
    };

    it('forward from a non-zero state: outputs, final states, logits, losses', () => {
      const { model, ws } = setup();
      const loss = model.forward(k, ws);

      const top = ws.layers[L - 1];
      expect(maxDiff(top.hs.subarray(n), f.outputs)).toBeLessThan(FORWARD_ABS);
      ws.layers.forEach((w, l) => {
        expect(maxDiff(w.hs.subarray(T * n), f.hn.slice(l * n, (l + 1) * n)), `h_T of layer ${l}`).toBeLessThan(FORWARD_ABS);
        if (w.cs) expect(maxDiff(w.cs.subarray(T * n), f.cn!.slice(l * n, (l + 1) * n)), `c_T of layer ${l}`).toBeLessThan(FORWARD_ABS);
      });
      // logits of position (t=0, b=0) from the engine's h and decoder (ws.probs holds the softmax)
      const logits = Array.from({ length: V }, (_, j) => {
        let z = model.bd[j];
        for (let i = 0; i < H; i++) z += top.hs[n + i] * model.Wd[i * V + j];
        return z;
      });
      expect(maxDiff(logits, f.logits0)).toBeLessThan(FORWARD_ABS);
      expect(maxDiff(ws.nll, f.nll)).toBeLessThan(FORWARD_ABS);
      expect(maxDiff([loss], [f.loss])).toBeLessThan(FORWARD_ABS);
    });

    it('gradients of the mean loss of that window', () => {
      const { model, ws } = setup();
      model.zeroGrads();
      model.forward(k, ws);
      model.backward(k, ws);
      const grads = toTorch(model, model.grads);
      expect([...grads.keys()].sort()).toEqual(Object.keys(f.grads).sort());
      for (const [torchName, g] of Object.entries(f.grads)) {
        expect(maxDiff(grads.get(torchName)!, g), torchName).toBeLessThan(GRAD_ABS);
      }
    });

    it('10 steps of Adam (lr 0.01) with clipping at global norm 1, state carried across windows', () => {
      const model = onKernels(fromTorch(c, c.init), k);
      const a = c.adam;
      const opt = trainConfig({ optimizer: { name: 'adam', lr: a.lr } }).optimizer;
      expect([opt.beta1, opt.beta2, opt.eps, opt.weightDecay]).toEqual([...a.betas, a.eps, 0]);
      const optimizer = new Optimizer(opt, model.size);
      const ws = model.workspace(T, B); // the carried state starts at zero, as in the script
      let clipped = 0;
      for (const [s, step] of a.steps.entries()) {
        setIds(ws.inputs, step.inputs);
        setIds(ws.targets, step.targets);
        model.zeroGrads();
        const loss = model.forward(k, ws);
        model.backward(k, ws);
        const norm = globalNorm(model.grads);
        if (clipByGlobalNorm(model.grads, norm, a.maxNorm)) clipped++;
        optimizer.step(model.params, model.grads, opt.lr);
        ws.carryState();
        expect(Math.abs(loss - step.loss) / step.loss, `loss of step ${s + 1}`).toBeLessThan(ADAM_REL);
        expect(Math.abs(norm - step.gradNorm) / step.gradNorm, `gradient norm of step ${s + 1}`).toBeLessThan(ADAM_REL);
      }
      expect(clipped).toBe(a.steps.filter((s) => s.gradNorm > a.maxNorm).length);
      const final = toTorch(model, model.params);
      expect([...final.keys()].sort()).toEqual(Object.keys(a.final).sort());
      for (const [torchName, t] of Object.entries(a.final)) {
        expect(maxDiff(final.get(torchName)!, t.data), torchName).toBeLessThan(WEIGHT_ABS);
      }
    });
  });
});

it('the fixture covers every cell torch.nn has, one-hot and embedded', () => {
  expect(golden.torch).toMatch(/^1\.13/);
  const seen = golden.cases.map((c) => `${c.config.cell}/${c.config.L}/${c.config.E > 0 ? 'emb' : 'onehot'}`);
  for (const cell of ['rnn', 'lstm', 'gru-reset-after']) {
    expect(seen).toContain(`${cell}/1/onehot`);
    expect(seen).toContain(`${cell}/2/emb`);
  }
});
