/**
 * rnn-lab demo: the app's demo experiment (DEMO_SPEC), trained here through the same lab and worker
 * pool as `experiment run`, then each run's last evaluation. A new database gets the demo as the
 * app makes it; a database that has it already trains what is left of it, or shows its results.
 */
import type { ExperimentSummary } from '../../api/contract.ts';
import { DEMO_EXPERIMENT_NAME, LabError, type Lab } from '../../lab/lab.ts';
import type { Command } from '../command.ts';
import { formatEval, formatRun, trainInForeground } from '../runs.ts';
import { oneLine } from '../terminal.ts';

function demoExperiment(lab: Lab): ExperimentSummary {
  lab.ensureDemo();
  const [first] = lab.listExperiments().filter((e) => e.name === DEMO_EXPERIMENT_NAME).sort((a, b) => a.id - b.id);
  if (first) return first;
  throw new LabError('bad-state', `${lab.database} has no demo experiment: the lab makes it only in a new database; `
    + 'give another with --db (rnn-lab demo --db demo.db)');
}

export const DEMO_COMMANDS: Command[] = [
  {
    name: 'demo',
    usage: '[--workers N]',
    summary: "train the app's demo experiment here with progress, then show each run's results",
    notes: [
      `"${DEMO_EXPERIMENT_NAME}", made in a new database as the app makes it`,
      'run again, it trains what is left or shows the results; Ctrl-C pauses (exits 130); exits 1 if a run failed',
    ],
    options: { workers: { type: 'string' } },
    async run(ctx) {
      const { lab, io } = ctx;
      const demo = demoExperiment(lab);
      const ids = lab.runExperiment(demo.id);
      if (!ctx.json) {
        io.out(`experiment ${demo.id} "${oneLine(demo.name)}" on corpus "${oneLine(demo.corpusName)}", in ${lab.database}\n`);
        io.out(ids.length ? `training ${ids.length} runs on ${lab.workers} worker(s)\n` : 'trained already; its results:\n');
      }
      if (ids.length) await trainInForeground(ctx, ids);
      const { runs } = lab.experiment(demo.id);
      const evals = runs.map((r) => lab.store.evals.list(r.id).at(-1) ?? null);
      if (!ctx.json) {
        io.out("\neach run's last evaluation on the validation text (long-range: the letters recalled):\n");
        runs.forEach((r, i) => io.out(`${formatRun(r)}\n${evals[i] ? `${formatEval(evals[i])}\n` : ''}`));
      }
      return { id: demo.id, runs, evals };
    },
  },
];
