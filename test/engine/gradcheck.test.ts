// Finite-difference checks of every backward pass, in float64: each cell alone and stacked, with
// one-hot and embedded input, dropout, the decoder and the loss, over several steps that start from
// a non-zero carried state (so the gradient w.r.t. the initial state is checked too).
import { describe, expect, it } from 'vitest';
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { gradcheck } from '../../src-worker/engine/gradcheck.ts';
import { createKernels, KERNEL_NAMES, kernelSetAvailable } from '../../src-worker/engine/kernel-sets.ts';
import { naiveKernels, type Kernels } from '../../src-worker/engine/kernels.ts';
import { Model, type Workspace } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
// relaxed SIMD on, as in the workers, so the wasm-fma kernels are checked too
import '../../src-worker/wasm-features.ts';

// Central differences (eps 1e-5) in float64 agree with a right gradient to ~1e-9 relative, or
// ~1e-10 absolute where the gradient is tiny (gradcheck's floor); a wrong term shows as 1e-3 or worse.
const TOL = 1e-6;

interface Setup {
  model: Model;
  ws: Workspace;
  loss: () => number;
}

function setup(cell: CellName, opts: { layers?: number; embedding?: number; dropout?: number; k?: Kernels } = {}): Setup {
  const k = opts.k ?? naiveKernels;
  const V = 5, H = 3, T = 4, B = 2;
  const model = new Model({ cell, vocabSize: V, hidden: H, layers: opts.layers ?? 1, embedding: opts.embedding ?? 0, dropout: opts.dropout ?? 0 }, 'f64');
  const rng = new Rng(7);
  // larger-than-default weights so gates are away from their linear regime and mistakes show
  for (let i = 0; i < model.params.length; i++) model.params[i] = rng.uniformIn(-0.9, 0.9);
  const ws = model.workspace(T, B);
  for (let i = 0; i < T * B; i++) {
    ws.inputs[i] = rng.below(V);
    ws.targets[i] = rng.below(V);
  }
  for (const w of ws.layers) {
    for (let i = 0; i < B * H; i++) w.hs[i] = rng.uniformIn(-0.8, 0.8);
    if (w.cs) for (let i = 0; i < B * H; i++) w.cs[i] = rng.uniformIn(-1.5, 1.5);
  }
  if (opts.dropout) {
    ws.training = true;
    ws.sampleDropout(rng);
  }
  return { model, ws, loss: () => model.forward(k, ws) };
}

function analytic(s: Setup, k: Kernels = naiveKernels): void {
  s.model.zeroGrads();
  s.loss();
  s.model.backward(k, s.ws);
}

describe.each(CELL_NAMES.flatMap((cell) => KERNEL_NAMES.filter(kernelSetAvailable).map((name) => [cell, createKernels(name)] as const)))('%s backward, %s kernels', (cell, k) => {
  it.each([
    ['one layer, one-hot input', { layers: 1 }],
    ['three layers, embedding', { layers: 3, embedding: 4 }],
    ['two layers with dropout', { layers: 2, dropout: 0.4 }],
  ] as const)('matches finite differences for every parameter: %s', (_label, opts) => {
    const s = setup(cell, { ...opts, k });
    analytic(s, k);
    const r = gradcheck(s.loss, s.model.params as Float64Array, s.model.grads);
    expect(r.checked).toBe(s.model.size);
    expect(r.maxError, JSON.stringify(r.worst)).toBeLessThan(TOL);
  });

  it('matches finite differences for the carried-in state h_0 (and c_0) of every layer', () => {
    const s = setup(cell, { layers: 2, k });
    analytic(s, k);
    const n = s.ws.B * s.model.config.hidden;
    for (const w of s.ws.layers) {
      const dh0 = Float64Array.from(w.dhNext);
      const h = gradcheck(s.loss, w.hs as Float64Array, dh0, { indices: range(n) });
      expect(h.maxError, JSON.stringify(h.worst)).toBeLessThan(TOL);
      if (w.cs) {
        const dc0 = Float64Array.from(w.dcNext);
        const c = gradcheck(s.loss, w.cs as Float64Array, dc0, { indices: range(n) });
        expect(c.maxError, JSON.stringify(c.worst)).toBeLessThan(TOL);
      }
    }
  });
});

describe('gradcheck', () => {
  it('catches a wrong gradient', () => {
    const s = setup('lstm', { layers: 2 });
    analytic(s);
    // one entry of the recurrent weights of layer 1 off by 1%: the check must fail on exactly it
    const entry = s.model.layout.find((e) => e.name === 'l1.Wh')!;
    const wrong = Float64Array.from(s.model.grads);
    const i = entry.offset + 5;
    expect(Math.abs(wrong[i])).toBeGreaterThan(1e-4);
    wrong[i] *= 1.01;
    const r = gradcheck(s.loss, s.model.params as Float64Array, wrong);
    expect(r.maxError).toBeGreaterThan(1e-3);
    expect(r.worst.index).toBe(i);
  });

  it('catches a backward pass that drops the recurrent path', () => {
    // a kernel set whose NT product (the one that carries dhNext back in time) forgets to write
    const broken: Kernels = { ...naiveKernels, name: 'broken', gemmNT: () => {} };
    const s = setup('gru', { layers: 1 });
    analytic(s, broken);
    const r = gradcheck(s.loss, s.model.params as Float64Array, s.model.grads);
    expect(r.maxError).toBeGreaterThan(1e-2);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
