/**
 * rnn-lab sweep: a sweep's report per cell, and its confirmation on fresh seeds. The --sweep flags
 * of experiment create are read here too, so the sweep's words live in one file.
 */
import { formatNats } from '../../../src-shared/seed-stats.ts';
import { parseSweepArg, SweepSyntaxError } from '../../../src-shared/sweep/params.ts';
import type { SweepReport, SweepSpec } from '../../api/contract.ts';
import { DEFAULT_CADENCE } from '../../lab/experiments.ts';
import { LabError } from '../../lab/lab.ts';
import { id, str, wholeNumber } from '../args.ts';
import type { Command, Context } from '../command.ts';
import { formatRun } from '../runs.ts';

/** experiment create's sweep options */
export const SWEEP_OPTIONS = {
  sweep: { type: 'string' as const, multiple: true },
  trials: { type: 'string' as const },
  search: { type: 'string' as const },
  halving: { type: 'string' as const },
  'halving-min-steps': { type: 'string' as const },
  'draw-seed': { type: 'string' as const },
};

export const SWEEP_USAGE = "[--sweep 'NAME=log:MIN:MAX[:K]' | --sweep 'NAME=V1,V2,...' ...] [--trials N] [--search random|grid] [--halving ETA] [--halving-min-steps N] [--draw-seed S]";

export const SWEEP_NOTES = [
  "--sweep: a setting to tune per cell (lr, hidden, params, layers, dropout, clip, seqLen, batch, optimizer, weightDecay, forgetBias), e.g. 'lr=log:1e-4:3e-2' or 'dropout=0,0.1,0.25'; repeat it for more",
  '--trials N: random search draws N trials per cell (default 10); a grid aims at N for ranges without :K',
  '--halving ETA: stop the runs of a cell not in its best 1/ETA at steps M, M*ETA, ... (M: --halving-min-steps, default the evaluation interval)',
];

/** The sweep the flags ask for, or undefined when there is no --sweep (then the other sweep flags are refused). */
export function sweepFromFlags(ctx: Context, evalEvery: number | undefined): SweepSpec | undefined {
  const args = (ctx.values.sweep as unknown as string[] | undefined) ?? [];
  const given = Object.keys(SWEEP_OPTIONS).filter((k) => k !== 'sweep' && str(ctx, k) !== undefined);
  if (args.length === 0) {
    if (given.length > 0) throw new LabError('bad-input', `--${given[0]} tunes a sweep: give the settings to sweep with --sweep`);
    return undefined;
  }
  let ranges;
  try {
    ranges = args.map(parseSweepArg);
  } catch (e) {
    if (e instanceof SweepSyntaxError) throw new LabError('bad-input', `--${e.message}`);
    throw e;
  }
  const search = str(ctx, 'search') ?? 'random';
  if (search !== 'random' && search !== 'grid') throw new LabError('bad-input', `--search must be random or grid, got ${JSON.stringify(search)}`);
  const eta = str(ctx, 'halving');
  const minSteps = str(ctx, 'halving-min-steps');
  if (minSteps !== undefined && eta === undefined) throw new LabError('bad-input', '--halving-min-steps needs --halving ETA');
  const trials = str(ctx, 'trials');
  const drawSeed = str(ctx, 'draw-seed');
  return {
    search,
    trials: trials === undefined ? 10 : wholeNumber('--trials', trials),
    drawSeed: drawSeed === undefined ? 1 : wholeNumber('--draw-seed', drawSeed, 0),
    ranges,
    halving: eta === undefined ? null : {
      eta: wholeNumber('--halving', eta, 2),
      minSteps: minSteps === undefined ? evalEvery ?? DEFAULT_CADENCE.evalEvery : wholeNumber('--halving-min-steps', minSteps),
    },
  };
}

const valuesText = (values: Record<string, number | string>): string => Object.entries(values).map(([k, x]) => `${k}=${x}`).join(', ');

/** The report as a terminal reads it: one line per cell, then each cell's expected best and importance. */
function reportText(r: SweepReport): string {
  const s = r.sweep;
  const lines = [
    `sweep ${r.experimentId}: ${s.search} search, ${s.trials} trials per cell over ${s.ranges.map((x) => x.name).join(', ')}`
      + (s.halving ? `, halving by ${s.halving.eta} from step ${s.halving.minSteps}` : ', no halving'),
    '',
    `${'cell'.padEnd(16)}${'completed'.padStart(10)}${'stopped'.padStart(9)}${'of'.padStart(5)}  ${'best loss'.padStart(10)}  best trial`,
  ];
  for (const c of r.cells) {
    const best = c.best ? `${formatNats(c.best.valLoss).padStart(10)}  ${c.best.trial} (${valuesText(c.best.values)}), run ${c.best.runId}` : `${'-'.padStart(10)}  none completed`;
    lines.push(`${c.cell.padEnd(16)}${String(c.trials.completed).padStart(10)}${String(c.trials.stopped).padStart(9)}${String(c.trials.total).padStart(5)}  ${best}`);
  }
  for (const c of r.cells) {
    lines.push('', `${c.cell}: expected best of n trials, n = 1..${c.expectedBest.length}: ${c.expectedBest.map((x) => x.toFixed(3)).join(' ') || '(no ended trial)'}`);
    const over = c.importanceOver;
    const shares = Object.entries(c.importance).sort((a, b) => b[1] - a[1]).map(([k, x]) => `${k} ${(100 * x).toFixed(0)}%`).join(', ');
    lines.push(over && c.importanceMethod
      ? `${c.cell}: importance (${c.importanceMethod}, ${over.losses === 'final' ? 'final losses' : `losses at step ${over.step}`} of ${over.runs} runs): ${shares}`
      : `${c.cell}: importance: too few trials to tell`);
  }
  lines.push('', r.confirm ? `confirmed by experiment ${r.confirm.experimentId}: rnn-lab experiment show ${r.confirm.experimentId}` : `confirm the best on fresh seeds: rnn-lab sweep confirm ${r.experimentId}`);
  return lines.join('\n') + '\n';
}

export const SWEEP_COMMANDS: Command[] = [
  {
    name: 'sweep report',
    usage: 'ID',
    summary: 'per cell: trials completed and stopped, the best and its config, expected best, importance',
    positionals: ['id'],
    run(ctx) {
      const report = ctx.lab.sweepReport(id(ctx));
      if (!ctx.json) ctx.io.out(reportText(report));
      return report;
    },
  },
  {
    name: 'sweep confirm',
    usage: 'ID [--seeds N]',
    summary: "a new experiment: each cell's best trial on N fresh seeds (default 3), not started",
    notes: ['refused while a run of the sweep has not ended; a second call shows the experiment made before'],
    positionals: ['id'],
    options: { seeds: { type: 'string' } },
    run(ctx) {
      const seeds = str(ctx, 'seeds');
      const confirmId = ctx.lab.confirmSweep(id(ctx), seeds === undefined ? undefined : wholeNumber('--seeds', seeds));
      const { experiment, runs } = ctx.lab.experiment(confirmId);
      if (!ctx.json) {
        ctx.io.out(`experiment ${confirmId} confirms sweep ${id(ctx)} with ${runs.length} runs; start it with: rnn-lab experiment run ${confirmId}\n`);
        for (const r of runs) ctx.io.out(formatRun(r) + '\n');
      }
      return { id: confirmId, experiment, runs };
    },
  },
];
