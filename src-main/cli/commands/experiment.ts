/** rnn-lab experiment: cells x seeds runs on one corpus, created, listed, trained and deleted. */
import { formatBytes } from '../../../src-shared/format.ts';
import type { CellName } from '../../../src-worker/engine/cells/index.ts';
import type { OptimizerName } from '../../../src-worker/engine/config.ts';
import type { ExperimentSpecInput } from '../../api/contract.ts';
import { LabError, type RunConfig } from '../../lab/lab.ts';
import { id, realNumber, str, wholeNumber } from '../args.ts';
import type { Command, Context } from '../command.ts';
import { REDIS_NOTE, REDIS_OPTIONS, REDIS_USAGE } from '../remote.ts';
import { formatRun, trainInForeground } from '../runs.ts';
import { listCommand, removeCommand } from '../shapes.ts';
import { oneLine } from '../terminal.ts';
import { SWEEP_NOTES, SWEEP_OPTIONS, SWEEP_USAGE, sweepFromFlags } from './sweep.ts';

const CREATE_OPTIONS = [
  'corpus', 'cells', 'init-from', 'hidden', 'params', 'layers', 'embedding', 'seq', 'batch', 'threads', 'steps',
  'optimizer', 'lr', 'clip', 'dropout', 'seeds', 'first-seed', 'eval-every', 'checkpoint-every', 'sample-every', 'name',
];

function createSpec(ctx: Context): { corpusId: number; spec: ExperimentSpecInput } {
  const corpus = str(ctx, 'corpus');
  if (corpus === undefined) throw new LabError('bad-input', '--corpus ID is required (rnn-lab corpus list shows them)');
  const hidden = str(ctx, 'hidden');
  const params = str(ctx, 'params');
  if (hidden !== undefined && params !== undefined) throw new LabError('bad-input', 'give --hidden (same hidden size) or --params (equal parameter budget), not both');
  const num = (k: string, whole = true): number | undefined => {
    const v = str(ctx, k);
    if (v === undefined) return undefined;
    return whole ? wholeNumber(`--${k}`, v, 0) : realNumber(`--${k}`, v);
  };
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const initFrom = str(ctx, 'init-from');
  const modelId = initFrom === undefined ? undefined : wholeNumber('--init-from', initFrom);
  // started from a model: its cell unless told otherwise (the lab refuses any other)
  const cellList = str(ctx, 'cells') ?? (modelId !== undefined ? ctx.lab.model(modelId).config.cell : 'rnn,lstm,gru');
  const cells = cellList.split(',').map((c) => c.trim()) as CellName[];
  const spec: ExperimentSpecInput = {
    cells,
    seeds: num('seeds') ?? 1,
    firstSeed: num('first-seed'),
    budget: params !== undefined ? { mode: 'params', params: wholeNumber('--params', params) } : { mode: 'hidden', hidden: hidden === undefined ? 128 : wholeNumber('--hidden', hidden) },
    model: defined({ layers: num('layers'), embedding: num('embedding'), dropout: num('dropout', false) }),
    train: defined({
      seqLen: num('seq'),
      batch: num('batch'),
      threads: num('threads'),
      steps: num('steps'),
      clip: num('clip', false),
      optimizer: defined({ name: str(ctx, 'optimizer') as OptimizerName | undefined, lr: num('lr', false) }),
    }),
    cadence: defined({ evalEvery: num('eval-every'), checkpointEvery: num('checkpoint-every'), sampleEvery: num('sample-every') }),
    ...(modelId !== undefined ? { initFrom: { modelId } } : {}),
  };
  const sweep = sweepFromFlags(ctx, num('eval-every'));
  if (sweep) spec.sweep = sweep;
  return { corpusId: wholeNumber('--corpus', corpus), spec };
}

export const EXPERIMENT_COMMANDS: Command[] = [
  {
    name: 'experiment create',
    usage: '--corpus ID --cells rnn,lstm,lstm-peephole,gru,gru-reset-after [--init-from MODEL] [--hidden N | --params N] [--layers L] '
      + '[--embedding E] [--seq T] [--batch B] [--steps N] [--threads N] [--optimizer adam|adamw|sgd|rmsprop|adagrad] [--lr X] '
      + '[--clip X] [--dropout X] [--seeds K] [--first-seed S] [--eval-every N] [--checkpoint-every N] [--sample-every N] [--name NAME] ' + SWEEP_USAGE,
    summary: 'queue cells x seeds (x trials) runs: one hidden size (--hidden) or equal budgets (--params)',
    notes: [
      "--threads N: each run's batch split over N threads (runs x threads never exceed --workers)",
      '--first-seed S: the runs of each cell take seeds S to S + K - 1 (default 1), e.g. to repeat an experiment on other seeds',
      "--init-from MODEL: start from an imported model's weights (its cell, hidden, layers, embedding; the corpus must have exactly its vocabulary)",
      ...SWEEP_NOTES,
    ],
    options: { ...Object.fromEntries(CREATE_OPTIONS.map((k) => [k, { type: 'string' as const }])), ...SWEEP_OPTIONS },
    run(ctx) {
      const { corpusId, spec } = createSpec(ctx);
      // the plan's runs are the created runs, in order, with the memory each will hold
      const memory = ctx.lab.planExperiment({ corpusId, spec }).runs.map((r) => r.memory);
      const { experiment, runs } = ctx.lab.createExperiment({ corpusId, name: str(ctx, 'name'), spec });
      if (!ctx.json) {
        ctx.io.out(`created experiment ${experiment.id} "${oneLine(experiment.name)}" with ${runs.length} runs; start it with: rnn-lab experiment run ${experiment.id}\n`);
        runs.forEach((r, i) => ctx.io.out(formatRun(r) + `  hidden ${(r.config as RunConfig).model.hidden}  memory ${formatBytes(memory[i].bytes)}\n`));
      }
      return { id: experiment.id, experiment, runs, memory };
    },
  },
  listCommand({
    name: 'experiment list',
    summary: 'the experiments, with their runs counted by status',
    key: 'experiments',
    empty: 'no experiments yet: rnn-lab experiment create --corpus ID --cells rnn,lstm,gru',
    list: (lab) => lab.listExperiments(),
    line(e) {
      const counts = Object.entries(e.runCounts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
      return `${String(e.id).padStart(4)}  ${oneLine(e.name).padEnd(40)} on ${oneLine(e.corpusName).padEnd(24)} ${e.runs} runs: ${counts}`;
    },
  }),
  {
    name: 'experiment show',
    usage: 'ID',
    summary: 'its cells, seeds and runs',
    positionals: ['id'],
    run(ctx) {
      const { experiment, spec, runs } = ctx.lab.experiment(id(ctx));
      if (!ctx.json) {
        ctx.io.out(`experiment ${experiment.id} "${oneLine(experiment.name)}" on corpus ${experiment.corpusId}: ${spec.cells.join(', ')} x ${spec.seeds} seed(s)${spec.sweep ? ` x ${spec.sweep.trials} trials (rnn-lab sweep report ${experiment.id})` : ''}\n`);
        for (const r of runs) ctx.io.out(formatRun(r) + '\n');
      }
      return { experiment, spec, runs };
    },
  },
  {
    name: 'experiment run',
    usage: `ID [--workers N] ${REDIS_USAGE}`,
    summary: 'train its unfinished runs (here or on remote workers) with progress; Ctrl-C pauses them',
    notes: ['exits 1 if a run failed, 130 after Ctrl-C', REDIS_NOTE],
    positionals: ['id'],
    options: { workers: { type: 'string' }, ...REDIS_OPTIONS },
    async run(ctx) {
      const ids = ctx.lab.runExperiment(id(ctx));
      if (ids.length === 0) throw new LabError('bad-state', `experiment ${id(ctx)} has no run left to train (all completed, failed or cancelled)`);
      return { runs: await trainInForeground(ctx, ids) };
    },
  },
  removeCommand({
    name: 'experiment rm',
    what: 'experiment',
    arg: 'ID',
    summary: 'delete it with its runs, metrics, checkpoints and samples',
    remove: (lab, n) => lab.deleteExperiment(n),
    also: ' with its runs, metrics, checkpoints and samples',
  }),
];
