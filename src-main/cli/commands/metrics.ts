/** rnn-lab metrics: an experiment's numbers, one row per run and logged step. */
import { exportMetrics } from '../../api/exports.ts';
import { LabError } from '../../lab/lab.ts';
import { id, str } from '../args.ts';
import type { Command } from '../command.ts';
import { writeFile } from '../files.ts';

export const METRICS_COMMANDS: Command[] = [
  {
    name: 'metrics export',
    usage: 'EXPERIMENT --out FILE.csv|FILE.json',
    summary: "every run's training and validation numbers per step, as CSV or JSON with the configs",
    positionals: ['experiment'],
    options: { out: { type: 'string' } },
    run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.(csv|json)$/i.test(out)) throw new LabError('bad-input', '--out FILE.csv or FILE.json is required');
      const file = exportMetrics(ctx.lab, id(ctx), out.toLowerCase().endsWith('.csv') ? 'csv' : 'json');
      writeFile(out, file.text!);
      const rows = ctx.lab.metricsTable(id(ctx)).length;
      if (!ctx.json) ctx.io.out(`wrote ${rows} rows to ${out}\n`);
      return { out, rows };
    },
  },
];
