/** rnn-lab corpus: text files and built-in tasks to train on. */
import { basename, extname } from 'node:path';
import { LabError } from '../../lab/lab.ts';
import { TASKS, type TaskName } from '../../lab/tasks/index.ts';
import { id, realNumber, str } from '../args.ts';
import type { Command } from '../command.ts';
import { readFile } from '../files.ts';
import { listCommand, removeCommand } from '../shapes.ts';
import { oneLine } from '../terminal.ts';

const TASK_PARAMS = ['length', 'seed', 'lag', 'symbols', 'period', 'depth'];

export const CORPUS_COMMANDS: Command[] = [
  {
    name: 'corpus import',
    usage: 'FILE [--name NAME] [--keep-crlf] [--max-mb N]',
    summary: 'import a text file (strict UTF-8, 100 MB at most unless --max-mb); the same content once',
    positionals: ['file'],
    options: { name: { type: 'string' }, 'keep-crlf': { type: 'boolean', default: false }, 'max-mb': { type: 'string' } },
    run(ctx) {
      const file = ctx.positionals[0];
      const maxMb = str(ctx, 'max-mb');
      let maxBytes: number | undefined;
      if (maxMb !== undefined) {
        maxBytes = Math.round(realNumber('--max-mb', maxMb) * 1024 * 1024);
        if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new LabError('bad-input', `--max-mb must be a size of at least one byte, got ${JSON.stringify(maxMb)}`);
      }
      const { corpus, existing } = ctx.lab.importCorpus(readFile(file, 'corpus file'), {
        name: str(ctx, 'name') ?? basename(file, extname(file)),
        keepCrlf: ctx.values['keep-crlf'] === true,
        maxBytes,
        source: basename(file),
      });
      if (!ctx.json) ctx.io.out(`${existing ? 'already imported' : 'imported'}: corpus ${corpus.id} "${oneLine(corpus.name)}", ${corpus.chars} characters, ${corpus.vocab.length} distinct\n`);
      return { id: corpus.id, existing, corpus };
    },
  },
  {
    name: 'corpus task',
    usage: `${Object.keys(TASKS).join('|')} [--length N] [--seed S] [--lag L] [--symbols N] [--period K] [--depth D]`,
    summary: 'generate a built-in task from a seed (accuracy counts the positions that can be predicted)',
    positionals: ['task'],
    options: Object.fromEntries(TASK_PARAMS.map((k) => [k, { type: 'string' as const }])),
    run(ctx) {
      const task = ctx.positionals[0] as TaskName;
      if (!(task in TASKS)) throw new LabError('bad-input', `unknown task ${JSON.stringify(task)}; allowed: ${Object.keys(TASKS).join(', ')}`);
      const params: Record<string, number> = {};
      for (const k of TASK_PARAMS) {
        const v = str(ctx, k);
        if (v !== undefined) params[k] = realNumber(`--${k}`, v);
      }
      const { corpus, existing } = ctx.lab.createTaskCorpus(task, params);
      if (!ctx.json) ctx.io.out(`${existing ? 'already there' : 'created'}: corpus ${corpus.id} "${oneLine(corpus.name)}", ${corpus.chars} characters\n`);
      return { id: corpus.id, existing, corpus };
    },
  },
  listCommand({
    name: 'corpus list',
    summary: 'the corpora, with their sizes',
    key: 'corpora',
    empty: 'no corpora yet: rnn-lab corpus import FILE, or rnn-lab corpus task reber',
    list: (lab) => lab.listCorpora(),
    line: (c) => `${String(c.id).padStart(4)}  ${oneLine(c.name).padEnd(36)} ${c.kind.padEnd(5)} ${String(c.chars).padStart(10)} chars  ${String(c.vocab.length).padStart(5)} distinct`,
  }),
  {
    name: 'corpus show',
    usage: 'ID',
    summary: 'its statistics, most frequent characters and a preview',
    positionals: ['id'],
    run(ctx) {
      const c = ctx.lab.corpus(id(ctx));
      if (!ctx.json) {
        const s = c.stats;
        ctx.io.out(`corpus ${c.id} "${oneLine(c.name)}" (${c.kind}${c.source ? `, from ${oneLine(c.source)}` : ''})\n`);
        ctx.io.out(`${s.chars} characters, ${s.vocabSize} distinct, ${s.lines} lines; training ${s.trainChars}, validation ${s.validChars}; unigram entropy ${s.unigramEntropy.toFixed(3)} nats\n`);
        ctx.io.out(`most frequent: ${s.topChars.slice(0, 10).map((t) => `${JSON.stringify(t.char)} ${(100 * t.fraction).toFixed(1)}%`).join(', ')}\n`);
        ctx.io.out(`preview:\n${s.preview}\n`);
      }
      return { corpus: c };
    },
  },
  removeCommand({ name: 'corpus rm', what: 'corpus', arg: 'ID', summary: 'delete a corpus that no experiment uses', remove: (lab, n) => lab.deleteCorpus(n) }),
];
