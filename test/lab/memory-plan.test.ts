// A run's memory at planning time: shown per run in the plan, and a run that cannot fit refused at
// planning and at create with its size and the limit, before anything is written.
import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryRefusal, plannedMemory, type Machine } from '../../src-main/lab/estimate.ts';
import { experimentSpec, planRuns } from '../../src-main/lab/experiments.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { ConfigError } from '../../src-worker/engine/config.ts';
import type { ExperimentSpecInput } from '../../src-main/api/contract.ts';

const GiB = 2 ** 30;
let dir: string;
let lab: Lab;
let corpusId: number;

/** 65,536 distinct characters (every code point from U+0020, surrogates skipped), twice over. */
function widestText(): string {
  const chars: string[] = [];
  for (let cp = 0x20; chars.length < 65536; cp++) if (cp < 0xd800 || cp > 0xdfff) chars.push(String.fromCodePoint(cp));
  return chars.join('') + chars.join('');
}

const HUGE: ExperimentSpecInput = { cells: ['lstm'], budget: { mode: 'hidden', hidden: 8192 }, model: { layers: 4 } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-memory-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
  const corpus = lab.importCorpus(new TextEncoder().encode(widestText()), { name: 'every character' }).corpus;
  expect(corpus.vocab).toHaveLength(65536);
  corpusId = corpus.id;
});

afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const tables = (): unknown => {
  const db = lab.store.db;
  return { experiments: db.prepare('SELECT * FROM experiments').all(), runs: db.prepare('SELECT * FROM runs').all(), changes: db.prepare('SELECT total_changes() AS n').get() };
};

describe('the plan gives each run its memory', () => {
  it('in parts that add up, the same for every seed of a cell, growing with the batch', () => {
    const spec: ExperimentSpecInput = { cells: ['rnn', 'lstm'], seeds: 2, budget: { mode: 'hidden', hidden: 16 }, model: { embedding: 8 }, train: { seqLen: 8, batch: 4 } };
    const plan = lab.planExperiment({ corpusId, spec });
    for (const r of plan.runs) {
      const { bytes, weights, gradients, optimizer, activations, checkpoints } = r.memory;
      expect(weights + gradients + optimizer + activations + checkpoints).toBe(bytes);
      expect(weights).toBe(Math.ceil((4 * r.params) / 16) * 16);
      expect(optimizer).toBe(2 * 4 * r.params); // Adam
    }
    expect(plan.runs[0].memory).toEqual(plan.runs[1].memory);
    expect(plan.runs[2].memory.bytes).toBeGreaterThan(plan.runs[0].memory.bytes);
    const wider = lab.planExperiment({ corpusId, spec: { ...spec, train: { seqLen: 8, batch: 64 } } });
    expect(wider.runs[0].memory.activations).toBeGreaterThan(plan.runs[0].memory.activations);
    expect(wider.runs[0].memory.weights).toBe(plan.runs[0].memory.weights);
  });
});

describe('a run that does not fit is refused before anything is written', () => {
  it("the issue's LSTM, hidden 8192 x 4 layers on 65,536 symbols: 4.56 billion weights", () => {
    const before = tables();
    for (const attempt of [() => lab.planExperiment({ corpusId, spec: HUGE }), () => lab.createExperiment({ corpusId, spec: HUGE })]) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^memory: the lstm run of seed 1 needs \d+(\.\d+)? GB \(weights 17 GB, gradients 17 GB, adam moments 34 GB, activations [\d.]+ [MG]B, checkpoints 102 GB\) but a run of 1 thread\(s\) may use [\d.]+ [MG]B here \(50% of this machine's [\d.]+ GB over 2 worker\(s\)\); make it smaller$/);
    }
    expect(tables()).toEqual(before);
  });
});

describe('memoryRefusal names the limit a run goes past', () => {
  const machine = (totalBytes: number, wasm = true, workers = 2): Machine => ({ totalBytes, workers, wasm });
  const planned = (spec: ExperimentSpecInput, vocab: number) => {
    const r = planRuns(experimentSpec(spec), vocab)[0];
    return { r, memory: (m: Machine) => plannedMemory(r, { trainChars: 1e6, validChars: 1e5 }, experimentSpec(spec).cadence, m) };
  };

  it('its share of the machine, larger for a run of more threads', () => {
    const { r, memory } = planned({ cells: ['gru'], budget: { mode: 'hidden', hidden: 1024 }, train: { threads: 2 } }, 100);
    const m = memory(machine(GiB));
    expect(m.total).toBeGreaterThan(GiB / 4);
    expect(m.total).toBeLessThan(GiB / 2);
    expect(memoryRefusal('gru seed 1', r, m, machine(GiB, true, 4))).toMatch(/^gru seed 1 needs [\d.]+ MB .* but a run of 2 thread\(s\) may use 256 MB here \(50% of this machine's 1 GB over 4 worker\(s\)\)/);
    expect(memoryRefusal('gru seed 1', r, m, machine(GiB, true, 2))).toBeNull();
  });

  it('the one WebAssembly memory of 2 GB, only with the WebAssembly kernels', () => {
    const { r, memory } = planned({ cells: ['lstm'], budget: { mode: 'hidden', hidden: 8192 }, train: { optimizer: { name: 'sgd', momentum: 0 } } }, 100);
    const m = memory(machine(1024 * GiB));
    expect(memoryRefusal('lstm seed 1', r, m, machine(1024 * GiB))).toMatch(/^lstm seed 1's weights, gradients and activations need 4\.13 GB in one WebAssembly memory, which holds at most 2 GB; make it smaller$/);
    // with the TypeScript kernels each array stands alone, but the checkpoint is too big for the database
    expect(memoryRefusal('lstm seed 1', r, m, machine(1024 * GiB, false))).toMatch(/^lstm seed 1's checkpoint .* would be 1\.\d+ GB, but the database stores at most 954 MB in one value; make it smaller$/);
  });

  it('the length of one typed array', () => {
    // a tiny model over a huge window: probs has T x B x V values, and evaluation's window (6,249 steps x 16 streams) is the larger
    const { r, memory } = planned({ cells: ['rnn'], budget: { mode: 'hidden', hidden: 1 }, train: { seqLen: 65537, batch: 1, optimizer: { name: 'sgd', momentum: 0 } } }, 65536);
    expect(memoryRefusal('rnn seed 1', r, memory(machine(1024 * GiB, false)), machine(1024 * GiB, false))).toBe('rnn seed 1 needs an array of 6,552,551,424 values, but one may hold at most 4,294,967,296; make it smaller');
  });
});
