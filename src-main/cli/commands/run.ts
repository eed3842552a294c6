/** rnn-lab run: one run of an experiment, shown, paused, resumed or cancelled (from any process). */
import type { Lab, RunConfig } from '../../lab/lab.ts';
import { id } from '../args.ts';
import type { Command } from '../command.ts';
import { formatEval, formatRun, trainInForeground } from '../runs.ts';

/** A pause or cancel: the lab asks whichever process trains the run, this one or another. */
function controlCommand(verb: 'pause' | 'cancel', summary: string, ask: (lab: Lab, run: number) => void): Command {
  return {
    name: `run ${verb}`,
    usage: 'ID',
    summary,
    positionals: ['id'],
    run(ctx) {
      ask(ctx.lab, id(ctx));
      if (!ctx.json) ctx.io.out(`${verb} requested for run ${ctx.positionals[0]}\n`);
      return { run: ctx.lab.run(id(ctx)) };
    },
  };
}

export const RUN_COMMANDS: Command[] = [
  {
    name: 'run show',
    usage: 'ID',
    summary: 'its status, config, last evaluations and last sample',
    positionals: ['id'],
    run(ctx) {
      const run = ctx.lab.run(id(ctx));
      const evals = ctx.lab.store.evals.list(run.id);
      const samples = ctx.lab.store.samples.list(run.id);
      if (!ctx.json) {
        ctx.io.out(formatRun(run) + '\n');
        const c = run.config as RunConfig;
        ctx.io.out(`model ${JSON.stringify(c.model)}\ntrain ${JSON.stringify(c.train)}\n`);
        for (const e of evals.slice(-5)) ctx.io.out(formatEval(e) + '\n');
        const s = samples[samples.length - 1];
        if (s) ctx.io.out(`sample at step ${s.step}:\n${s.prime}${s.text}\n`);
      }
      return { run, evals, samples };
    },
  },
  controlCommand('pause', 'stop it with a checkpoint, also when another process trains it', (lab, run) => lab.pauseRun(run)),
  {
    name: 'run resume',
    usage: 'ID [--workers N]',
    summary: 'continue a paused or interrupted run from its last checkpoint, as if it had never stopped',
    positionals: ['id'],
    options: { workers: { type: 'string' } },
    async run(ctx) {
      ctx.lab.resumeRun(id(ctx));
      const [run] = await trainInForeground(ctx, [id(ctx)]);
      return { run };
    },
  },
  controlCommand('cancel', 'end it for good; it keeps its metrics and checkpoints', (lab, run) => lab.cancelRun(run)),
];
