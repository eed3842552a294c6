// A runtime without the fused multiply-add (relaxed SIMD off, or a CPU without FMA): the default
// falls back to today's wasm kernels, and a run recorded with wasm-fma is refused, not resumed on
// other kernels.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL, DEFAULT_TRAIN } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { createKernels, defaultKernelName } from '../../src-worker/engine/kernel-sets.ts';
import { wasmSimdSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';
import type { TrainTask } from '../../src-worker/train-protocol.ts';
import train from '../../src-worker/train.worker.ts';

vi.mock('../../src-worker/engine/kernels-wasm.ts', async (original) => ({
  ...await original<typeof import('../../src-worker/engine/kernels-wasm.ts')>(),
  wasmFmaSupported: () => false,
}));

const TEXT = 'no fused multiply-add here. '.repeat(20);
const vocab = Vocab.fromText(TEXT);
const ids = vocab.encode(TEXT);

describe.skipIf(!wasmSimdSupported())('without wasm-fma (skipped: no WebAssembly SIMD here)', () => {
  it('defaults to wasm and will not make wasm-fma kernels', () => {
    expect(defaultKernelName()).toBe('wasm');
    expect(() => createKernels('wasm-fma')).toThrow('relaxed SIMD with a fused multiply-add is not available in this runtime; use the wasm kernels');
  });

  it('refuses to resume a wasm-fma run, saying why, rather than change its bits', async () => {
    const model = { ...DEFAULT_MODEL, vocabSize: vocab.size, cell: 'rnn' as const, hidden: 6 };
    const trainConfig = { ...DEFAULT_TRAIN, seqLen: 5, batch: 2, steps: 10 };
    // a state saved by any kernels: what the refusal looks at is the recorded set
    const trainer = new Trainer({ model, train: trainConfig, data: ids, kernels: createKernels('blocked') });
    trainer.trainStep();
    const { port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(ids.length * 2);
    new Uint16Array(shared).set(ids);
    const task: TrainTask = {
      runId: 1, model, train: trainConfig,
      cadence: { metricsEvery: 1, evalEvery: 5, evalChars: 0, sampleEvery: 0, sampleLength: 5, checkpointEvery: 5 },
      trainIds: shared, validIds: shared, validMasks: null, vocab: [...vocab.chars],
      resume: trainer.saveState(), kernelSet: 'wasm-fma', elapsedBefore: 0, bestValLoss: null,
      control: new SharedArrayBuffer(8), port: port2,
    };
    await expect(train(task)).rejects.toThrow("this run trained with the 'wasm-fma' kernels, which this runtime lacks; resuming it with others would change its results, so it stays as it is (resume it where 'wasm-fma' runs)");
    await expect(train({ ...task, resume: null })).rejects.toThrow("the 'wasm-fma' kernels are not available in this runtime");
    port2.close();
  });
});
