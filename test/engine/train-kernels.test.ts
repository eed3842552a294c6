// The train worker's kernel set: the task names it (null: the runtime's default), the worker says
// first which one it trains with, runs of one set are bit-identical, and a resume with its recorded
// set continues bit for bit while a set the runtime lacks or does not know is refused.
import { createHash } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, DEFAULT_OPTIMIZER, DEFAULT_TRAIN } from '../../src-worker/engine/config.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { createKernels, defaultKernelName, kernelSetAvailable, type KernelSetName } from '../../src-worker/engine/kernel-sets.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';
import { startShardThreads } from '../../src-worker/shard-threads.ts';
import type { TrainTask } from '../../src-worker/train-protocol.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';
import train from '../../src-worker/train.worker.ts';
// relaxed SIMD on, as in the workers
import '../../src-worker/wasm-features.ts';

const TEXT = 'a stitch in time saves nine. '.repeat(30);
const vocab = Vocab.fromText(TEXT);

function shared(ids: Int32Array): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(ids.length * 2);
  new Uint16Array(buf).set(ids);
  return buf;
}
const ids = vocab.encode(TEXT);
const trainIds = shared(ids.subarray(0, 700));
const validIds = shared(ids.subarray(700));

/** Runs a task in this thread to its end, with every event it posted. */
async function run(kernelSet: KernelSetName | null, resume: ArrayBuffer | null = null): Promise<{ result: TrainResult; events: TrainEvent[] }> {
  const { port1, port2 } = new MessageChannel();
  const events: TrainEvent[] = [];
  const task: TrainTask = {
    runId: 1,
    model: { ...DEFAULT_MODEL, vocabSize: vocab.size, cell: 'lstm', hidden: 12 },
    train: { ...DEFAULT_TRAIN, seqLen: 9, batch: 3, steps: 24, seed: 3, optimizer: { ...DEFAULT_OPTIMIZER, lr: 0.01 }, clip: 1 },
    cadence: { metricsEvery: 1, evalEvery: 8, evalChars: 0, sampleEvery: 0, sampleLength: 10, checkpointEvery: 8 },
    trainIds, validIds, validMasks: null, vocab: [...vocab.chars],
    resume, kernelSet, elapsedBefore: 0, bestValLoss: null,
    control: new SharedArrayBuffer(8), port: port2,
  };
  try {
    const result = await train(task);
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) events.push(m.message as TrainEvent);
    return { result, events };
  } finally {
    port1.close();
  }
}

const states = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'checkpoint' ? [`${e.kind}@${e.step}:${createHash('sha256').update(new Uint8Array(e.state)).digest('hex')}`] : []));
const losses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'metrics' ? e.rows.map((r) => [r.step, r.trainLoss]) : []));

describe('the train worker and its kernel set', () => {
  it('trains with the default set when the task names none, and says so first', async () => {
    const { result, events } = await run(null);
    expect(result.status).toBe('completed');
    expect(events[0]).toEqual({ type: 'kernels', step: 0, kernelSet: defaultKernelName() });
    expect(events.filter((e) => e.type === 'kernels')).toHaveLength(1);
  });

  it('chooses wasm-fma where the runtime fuses relaxed SIMD multiply-adds, else wasm, else blocked', () => {
    const expected = kernelSetAvailable('wasm-fma') ? 'wasm-fma' : kernelSetAvailable('wasm') ? 'wasm' : 'blocked';
    expect(defaultKernelName()).toBe(expected);
    // Node 20 with the flag wasm-features.ts sets, on a CPU with FMA (this machine's)
    if (process.versions.node.startsWith('20.')) expect(kernelSetAvailable('wasm-fma')).toBe(true);
  });

  it.each((['wasm-fma', 'wasm', 'blocked'] as const).filter(kernelSetAvailable))('%s: two runs give the same bits, and a resume with the set continues them bit for bit', async (set) => {
    const a = await run(set);
    const b = await run(set);
    expect(a.events[0]).toEqual({ type: 'kernels', step: 0, kernelSet: set });
    expect(states(b.events)).toEqual(states(a.events));
    expect(losses(b.events)).toEqual(losses(a.events));

    // from the 'last' checkpoint at step 8, as a paused run resumes
    const at8 = a.events.find((e) => e.type === 'checkpoint' && e.kind === 'last' && e.step === 8);
    if (at8?.type !== 'checkpoint') throw new Error('no checkpoint at step 8');
    const resumed = await run(set, at8.state.slice(0));
    expect(resumed.result).toMatchObject({ status: 'completed', step: 24 });
    expect(resumed.events[0]).toEqual({ type: 'kernels', step: 8, kernelSet: set });
    const after8 = (events: TrainEvent[]) => states(events).filter((s) => Number(s.split(/[@:]/)[1]) > 8);
    expect(after8(resumed.events)).toEqual(after8(a.events));
    expect(losses(resumed.events)).toEqual(losses(a.events).filter(([step]) => step > 8));
  });

  it('refuses a kernel set it does not know, naming the known ones', async () => {
    await expect(run('fast' as KernelSetName)).rejects.toThrow("unknown kernel set 'fast' (known: wasm-fma, wasm, blocked, naive)");
  });

  it('wasm-fma: the kernel sets compute different bits (so a run must keep its own)', async () => {
    if (!kernelSetAvailable('wasm-fma')) return;
    const fma = await run('wasm-fma');
    const plain = await run('wasm');
    expect(losses(fma.events)).not.toEqual(losses(plain.events));
  });

  it.each((['wasm-fma', 'wasm'] as const).filter(kernelSetAvailable))('%s: shard threads train with the run\'s kernels (the same bits as the shards in turn)', async (set) => {
    const options = () => ({
      model: { ...DEFAULT_MODEL, vocabSize: vocab.size, cell: 'gru' as const, hidden: 10 },
      train: { ...DEFAULT_TRAIN, seqLen: 7, batch: 6, steps: 100, seed: 9, threads: 3 },
      data: ids, kernels: createKernels(set),
    });
    const inTurn = new Trainer(options());
    const threaded = new Trainer(options());
    await startShardThreads(threaded);
    try {
      for (let i = 0; i < 6; i++) expect(threaded.trainStep().loss).toBe(inTurn.trainStep().loss);
      expect(Float32Array.from(threaded.model.params)).toEqual(Float32Array.from(inTurn.model.params));
    } finally {
      threaded.close();
      inTurn.close();
    }
  });
});
