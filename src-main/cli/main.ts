#!/usr/bin/env node
/** The rnn-lab command. */
import { parseArgs } from 'node:util';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import { runDemo } from './demo.ts';

const USAGE = `usage: rnn-lab demo [--cells rnn,lstm,gru] [--steps N] [--hidden H] [--seed S]

  demo   train a plain RNN, an LSTM and a GRU side by side on the built-in embedded Reber
         grammar task and print their validation loss and long-range accuracy as they learn`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === 'demo') {
    const { values } = parseArgs({
      args: rest,
      options: {
        cells: { type: 'string', default: 'rnn,lstm,gru' },
        steps: { type: 'string', default: '300' },
        hidden: { type: 'string', default: '32' },
        seed: { type: 'string', default: '1' },
      },
    });
    runDemo({
      cells: values.cells!.split(',') as CellName[],
      steps: wholeNumber('--steps', values.steps!),
      hidden: wholeNumber('--hidden', values.hidden!),
      seed: wholeNumber('--seed', values.seed!),
      out: (line) => process.stdout.write(line + '\n'),
    });
    return 0;
  }
  process.stderr.write(`rnn-lab: unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
  return 2;
}

function wholeNumber(flag: string, s: string): number {
  const v = Number(s);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} must be a whole number >= 1, got ${JSON.stringify(s)}`);
  return v;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`rnn-lab: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
