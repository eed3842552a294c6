/**
 * `npm run bench:lab`: what the lab costs around training. Prints
 *   - pool overhead per run: wall time of many one-step runs through the Lab, per run;
 *   - metric rows written per second into the database (batched transactions, a real file);
 *   - the main thread's event-loop delay (p50/p99/max) while two runs train and report every step.
 * Needs the built workers (npm run build:node). `--json` prints one JSON document on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Lab } from '../../src-main/lab/lab.ts';
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '15' } } });
const log = (s: string): void => void (args.json ? process.stderr : process.stdout).write(s + '\n');
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-bench-'));

async function poolOverhead(): Promise<number> {
  const lab = Lab.open({ db: join(dir, 'overhead.db'), workers: 2 });
  const { corpus } = lab.createTaskCorpus('reber', { length: 5000 });
  const runs = 20;
  const { experiment } = lab.createExperiment({
    corpusId: corpus.id,
    spec: { cells: ['rnn'], seeds: runs, budget: { mode: 'hidden', hidden: 4 }, train: { steps: 1, seqLen: 4, batch: 2 }, cadence: { evalChars: 100, sampleEvery: 0 } },
  });
  // warm the pool's threads first, so thread start-up is not counted per run
  const warm = lab.createExperiment({ corpusId: corpus.id, spec: { cells: ['rnn'], seeds: 2, budget: { mode: 'hidden', hidden: 4 }, train: { steps: 1, seqLen: 4, batch: 2 }, cadence: { evalChars: 100, sampleEvery: 0 } } });
  lab.runExperiment(warm.experiment.id);
  await lab.whenIdle();
  const t0 = performance.now();
  lab.runExperiment(experiment.id);
  await lab.whenIdle();
  const perRun = (performance.now() - t0) / runs;
  await lab.close();
  return perRun * 2; // two workers ran side by side: each run held a worker for twice the average
}

function metricRowsPerSecond(): number {
  const store = new LabStore(openDatabase(join(dir, 'rows.db')));
  const cid = store.corpora.insert({ name: 'x', kind: 'file', task: null, sha256: 'a'.repeat(64), text: 'abc', chars: 3, vocab: ['a', 'b', 'c'] });
  const eid = store.experiments.insert({ name: 'x', corpusId: cid, spec: {} });
  const [rid] = store.runs.insert(eid, [{ cell: 'lstm', seed: 1, config: {}, params: 1, steps: 1 }]);
  const batch = 100;
  const batches = 500;
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    const rows = Array.from({ length: batch }, (_, i) => {
      const step = b * batch + i + 1;
      return { step, charsSeen: step * 512, wallSeconds: step / 100, trainLoss: 1.5, gradNorm: 0.7, clipped: false, lr: 2e-3, charsPerSecond: 5000 };
    });
    store.transaction(() => store.metrics.insert(rid, rows));
  }
  const secs = (performance.now() - t0) / 1000;
  store.close();
  return (batch * batches) / secs;
}

async function eventLoopDelay(seconds: number): Promise<{ p50: number; p99: number; max: number; rowsPerSecond: number }> {
  const lab = Lab.open({ db: join(dir, 'delay.db'), workers: 2 });
  const { corpus } = lab.createTaskCorpus('reber', { length: 200000 });
  const { experiment } = lab.createExperiment({
    corpusId: corpus.id,
    spec: { cells: ['lstm', 'gru'], budget: { mode: 'hidden', hidden: 64 }, train: { steps: 100000, seqLen: 32, batch: 16 }, cadence: { metricsEvery: 1, evalEvery: 200, evalChars: 5000, checkpointEvery: 100, sampleEvery: 200 } },
  });
  let rows = 0;
  lab.on((e) => {
    if (e.type === 'metrics') rows += e.rows.length;
  });
  lab.runExperiment(experiment.id);
  await new Promise((r) => setTimeout(r, 2000)); // past thread start-up and JIT warm-up
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const rowsBefore = rows;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  h.disable();
  const rowsPerSecond = (rows - rowsBefore) / seconds;
  await lab.close({ running: 'cancel' });
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, rowsPerSecond };
}

try {
  const overheadMs = await poolOverhead();
  log(`pool overhead per run: ${overheadMs.toFixed(1)} ms (one-step runs through the Lab on 2 warm workers)`);
  const rowsPerSecond = metricRowsPerSecond();
  log(`metric rows written: ${Math.round(rowsPerSecond)} rows/s (batches of 100, one transaction each, WAL file)`);
  const delay = await eventLoopDelay(Number(args.seconds));
  log(`event-loop delay while two runs train: p50 ${delay.p50.toFixed(2)} ms, p99 ${delay.p99.toFixed(2)} ms, max ${delay.max.toFixed(2)} ms (${delay.rowsPerSecond.toFixed(0)} metric rows/s arriving)`);
  if (args.json) process.stdout.write(JSON.stringify({ pool_overhead_ms: overheadMs, metric_rows_per_s: rowsPerSecond, event_loop_delay_ms: delay }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
