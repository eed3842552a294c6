/** rnn-lab report: an experiment as one self-contained HTML page. */
import { isLang, LANGS } from '../../../src-shared/locales/index.ts';
import { exportReport } from '../../api/exports.ts';
import { LabError } from '../../lab/lab.ts';
import { id, str } from '../args.ts';
import type { Command } from '../command.ts';
import { writeFile } from '../files.ts';

export const REPORT_COMMANDS: Command[] = [
  {
    name: 'report',
    usage: `EXPERIMENT --out FILE.html [--lang ${LANGS.join('|')}]`,
    summary: 'one self-contained HTML page that opens offline: configs, summary over seeds, charts, samples',
    positionals: ['experiment'],
    options: { out: { type: 'string' }, lang: { type: 'string' } },
    async run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.html?$/i.test(out)) throw new LabError('bad-input', '--out FILE.html is required');
      const lang = str(ctx, 'lang') ?? 'en';
      if (!isLang(lang)) throw new LabError('bad-input', `--lang must be one of ${LANGS.join(', ')} (the languages of the app), got ${JSON.stringify(lang)}`);
      const file = await exportReport(ctx.lab, id(ctx), lang);
      writeFile(out, file.text!);
      const bytes = Buffer.byteLength(file.text!);
      if (!ctx.json) ctx.io.out(`wrote the report of experiment ${id(ctx)} to ${out} (${Math.ceil(bytes / 1024)} KB, opens offline)\n`);
      return { out, bytes };
    },
  },
];
