// The memory a run needs, counted before anything is allocated (memory.ts), against what a real
// Trainer, its evaluations and a sampler allocate in a WebAssembly heap of their own.
import { describe, expect, it } from 'vitest';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import { modelConfig, trainConfig, type ModelConfigInput, type TrainConfigInput } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { evalStreams, evaluate } from '../../src-worker/engine/evaluate.ts';
import { createWasmKernels, WasmHeap, wasmScratchBytes } from '../../src-worker/engine/kernels-wasm.ts';
import { runMemory, workspaceArrays } from '../../src-worker/engine/memory.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { Sampler } from '../../src-worker/engine/sample.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';

const TEXT = 'It was the best of times, it was the worst of times; it was the age of wisdom, it was the age of foolishness. '.repeat(30);
const vocab = Vocab.fromText(TEXT);
const ids = Uint16Array.from(vocab.encode(TEXT));
const VALID = 1500;
const trainIds = ids.subarray(0, ids.length - VALID);
const validIds = ids.subarray(ids.length - VALID);

/** The heap's next free byte: everything allocated so far ends there. */
const top = (heap: WasmHeap): number => heap.alloc(0).byteOffset;
/** Bytes an array takes in the heap, which hands out whole 16-byte blocks. */
const inHeap = (a: ArrayBufferView): number => Math.ceil(a.byteLength / 16) * 16;

interface Case { model: Partial<ModelConfigInput>; train: TrainConfigInput; evalChars: number }

const CASES: Case[] = [
  { model: { cell: 'lstm', hidden: 48, layers: 2, embedding: 0 }, train: { seqLen: 16, batch: 8, threads: 1 }, evalChars: 400 },
  { model: { cell: 'gru-reset-after', hidden: 40, layers: 1, embedding: 12 }, train: { seqLen: 20, batch: 6, threads: 1, optimizer: { name: 'sgd', momentum: 0.9 } }, evalChars: 0 },
  { model: { cell: 'lstm-peephole', hidden: 32, layers: 3, embedding: 8, dropout: 0.3 }, train: { seqLen: 10, batch: 9, threads: 3, optimizer: { name: 'rmsprop' } }, evalChars: 700 },
  { model: { cell: 'gru', hidden: 64, layers: 2, embedding: 0 }, train: { seqLen: 12, batch: 4, threads: 2, optimizer: { name: 'sgd', momentum: 0 } }, evalChars: 1000 },
  { model: { cell: 'rnn', hidden: 24, layers: 4, embedding: 16, dropout: 0.1 }, train: { seqLen: 32, batch: 5, threads: 1, optimizer: { name: 'adagrad' } }, evalChars: 0 },
];

describe('runMemory against the allocations of a real run', () => {
  it.each(CASES)('$model.cell, $model.layers layer(s) of $model.hidden, $train.threads thread(s)', ({ model: m, train: t, evalChars }) => {
    const heap = new WasmHeap();
    const start = top(heap);
    const kernels = createWasmKernels(heap);
    const trainer = new Trainer({ model: { vocabSize: vocab.size, ...m }, train: { steps: 10, ...t }, data: trainIds, kernels });
    const threads = trainer.config.threads;
    // a run's other threads each make their kernels over the same memory (shard.worker)
    for (let i = 1; i < threads; i++) createWasmKernels(heap);
    trainer.trainStep();
    // what train.worker evaluates and samples: interval evaluations, the final one, a sample
    for (const n of new Set([evalChars > 0 ? evalChars : VALID, VALID])) {
      evaluate(trainer.model, kernels, validIds.subarray(0, n), { streams: evalStreams(n), chunk: trainer.config.seqLen });
    }
    new Sampler(trainer.model, kernels, new Rng(1)).feed([0]);
    const state = trainer.saveState();

    const est = runMemory({ model: trainer.model.config, train: trainer.config, trainChars: trainIds.length, validChars: VALID, evalChars, scratchBytes: wasmScratchBytes() });
    // everything from the allocator, exactly: weights, gradients, workspaces, kernel scratch
    expect(top(heap) - start).toBe(est.allocatorBytes);
    expect(est.weights).toBe(inHeap(trainer.model.params));
    const grads = [trainer.model, ...(threads > 1 ? trainer.shards.map((s) => s.model) : [])].reduce((a, x) => a + inHeap(x.grads), 0);
    expect(est.gradients).toBe(grads);
    expect(est.optimizer).toBe(trainer.optimizer.moments.reduce((a, x) => a + x.byteLength, 0));
    // the state's JSON header is bounded, not counted: at most 4 KB more than the real one
    expect(est.stateBytes).toBeGreaterThanOrEqual(state.byteLength);
    expect(est.stateBytes - state.byteLength).toBeLessThan(4096);
    // what is left apart from the allocator (float64 losses, ids, the sampler's arrays) is small;
    // the total agrees with the measured parts within 1% (0.3 to 0.7% here)
    const measured = (top(heap) - start) + est.optimizer + 2 * state.byteLength;
    expect(Math.abs(est.total - measured) / est.total).toBeLessThan(0.01);
  });

  it('counts exactly the arrays a Workspace takes from its allocator, for every cell and option', () => {
    for (const cell of ['rnn', 'lstm', 'lstm-peephole', 'gru', 'gru-reset-after'] as CellName[]) {
      for (const [embedding, dropout, layers] of [[0, 0, 1], [5, 0.2, 3], [0, 0.5, 2]]) {
        const lengths: number[] = [];
        const model = new Model({ cell, vocabSize: 7, hidden: 3, layers, embedding, dropout }, 'f32', (n) => {
          lengths.push(n);
          return new Float32Array(n);
        });
        lengths.length = 0; // params and grads
        model.workspace(4, 2);
        expect(lengths.sort((a, b) => a - b)).toEqual(workspaceArrays(model.config, 4, 2).sort((a, b) => a - b));
      }
    }
  });

  it("counts the issue's huge LSTM without allocating it: 4.56 billion weights", () => {
    const model = modelConfig({ cell: 'lstm', vocabSize: 65536, hidden: 8192, layers: 4 });
    const est = runMemory({ model, train: trainConfig({}), trainChars: 1e6, validChars: 1e5, evalChars: 0, scratchBytes: 655_488 });
    expect(est.weights / 4).toBeCloseTo(4.56e9, -7);
    expect(est.largestArray).toBeGreaterThan(2 ** 32);
    // Adam: two moments a weight; a state holds weights and moments
    expect(est.optimizer).toBe(2 * 4 * (est.weights / 4));
    expect(est.stateBytes).toBeGreaterThan(3 * est.weights);
  });
});
