/**
 * `npm run bench:sweep`: what a sweep costs on this machine's workers, with and without halving.
 * A 50,000-parameter sweep of the RNN, LSTM and GRU (an equal budget) over the learning rate
 * (random, log scale 1e-3 to 5e-2, the same draws in both), 400 steps of the demo's batch 8 x 48
 * characters on the demo's corpus (recall at lag 20, 100,000 characters), evaluated every 100 steps
 * on 20,000 characters of the validation text. Prints per condition the wall time, trials per
 * hour, the steps trained against those planned and each cell's best loss; then the share of
 * compute halving (eta 3 from step 100: rungs 100 and 300) saved, in steps and in wall time.
 *
 * Options: --trials N per cell (default 8), --workers N (default 2), --json (one document on
 * stdout). Needs the built workers (npm run build:node); the default size takes about 3 minutes
 * on two free cores. On a shared machine the wall times swing with the load: the CPU seconds the
 * process spent (its worker threads included) are printed beside them, and judge the saving too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SweepSpec } from '../../src-main/api/types.ts';
import { DEMO_SPEC, DEMO_TASK } from '../../src-main/lab/demo.ts';
import { Lab } from '../../src-main/lab/lab.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false }, trials: { type: 'string', default: '8' }, workers: { type: 'string', default: '2' } } });
const trials = Number(args.trials);
const workers = Number(args.workers);
const log = (s: string): void => void (args.json ? process.stderr : process.stdout).write(s + '\n');
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-sweep-bench-'));

const STEPS = 400;
const PARAMS = 50_000;

interface Outcome {
  halving: SweepSpec['halving'];
  runs: number;
  wallSeconds: number;
  /** CPU seconds of this process, worker threads included: the work done, whatever else the machine ran */
  cpuSeconds: number;
  trialsPerHour: number;
  stepsTrained: number;
  stepsPlanned: number;
  stopped: number;
  best: Record<string, { valLoss: number; lr: number } | null>;
}

async function sweep(halving: SweepSpec['halving']): Promise<Outcome> {
  const lab = Lab.open({ db: join(dir, `${halving ? 'halving' : 'full'}.db`), workers });
  try {
    const { corpus } = lab.createTaskCorpus('recall', DEMO_TASK);
    const { experiment } = lab.createExperiment({
      corpusId: corpus.id,
      spec: {
        cells: ['rnn', 'lstm', 'gru'],
        seeds: 1,
        budget: { mode: 'params', params: PARAMS },
        train: { seqLen: DEMO_SPEC.train!.seqLen, batch: DEMO_SPEC.train!.batch, steps: STEPS },
        cadence: { evalEvery: 100, evalChars: 20_000, checkpointEvery: STEPS, sampleEvery: 0, sampleLength: 20 },
        sweep: { search: 'random', trials, drawSeed: 1, ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 5e-2 }], halving },
      },
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    lab.runExperiment(experiment.id);
    await lab.whenIdle();
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const { runs } = lab.experiment(experiment.id);
    const report = lab.sweepReport(experiment.id);
    return {
      halving,
      runs: runs.length,
      wallSeconds,
      cpuSeconds,
      trialsPerHour: (runs.length / wallSeconds) * 3600,
      stepsTrained: runs.reduce((n, r) => n + r.step, 0),
      stepsPlanned: runs.reduce((n, r) => n + r.steps, 0),
      stopped: runs.filter((r) => r.status === 'stopped').length,
      best: Object.fromEntries(report.cells.map((c) => [c.cell, c.best && { valLoss: c.best.valLoss, lr: c.best.values.lr as number }])),
    };
  } finally {
    await lab.close({ running: 'cancel' });
  }
}

function show(o: Outcome): void {
  log(`${o.halving ? `halving (eta ${o.halving.eta} from step ${o.halving.minSteps})` : 'no halving'}: ${o.runs} trials (3 cells x ${trials}) in ${o.wallSeconds.toFixed(1)} s (${o.cpuSeconds.toFixed(0)} CPU s)`
    + ` = ${o.trialsPerHour.toFixed(0)} trials per hour; ${o.stepsTrained} of ${o.stepsPlanned} planned steps trained (${o.stopped} runs stopped)`);
  for (const [cell, b] of Object.entries(o.best)) log(`  ${cell.padEnd(5)} best ${b ? `${b.valLoss.toFixed(4)} nats at lr ${b.lr}` : 'none completed'}`);
}

try {
  log(`sweep bench: ${PARAMS} parameters, rnn/lstm/gru, ${trials} random lr trials per cell, ${STEPS} steps of batch ${DEMO_SPEC.train!.batch} x ${DEMO_SPEC.train!.seqLen}, ${workers} workers`);
  const full = await sweep(null);
  show(full);
  const halved = await sweep({ eta: 3, minSteps: 100 });
  show(halved);
  const saved = { steps: 1 - halved.stepsTrained / full.stepsTrained, cpu: 1 - halved.cpuSeconds / full.cpuSeconds, wall: 1 - halved.wallSeconds / full.wallSeconds };
  log(`halving saved ${(100 * saved.steps).toFixed(0)}% of the steps, ${(100 * saved.cpu).toFixed(0)}% of the CPU time and ${(100 * saved.wall).toFixed(0)}% of the wall time`);
  if (args.json) process.stdout.write(JSON.stringify({ params: PARAMS, steps: STEPS, trials, workers, full, halved, saved }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
