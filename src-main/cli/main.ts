#!/usr/bin/env node
/**
 * The rnn-lab command: the lab's services from a terminal or a script. With --json every command
 * prints one JSON document on stdout; errors go to stderr with a non-zero exit code.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { ModelFileError } from '../../src-worker/engine/model-file.ts';
import { CorpusError } from '../lab/corpora.ts';
import { Lab, LabError } from '../lab/lab.ts';
import { databasePath } from '../lab/paths.ts';
import { StoreError } from '../store/errors.ts';
import { COMMANDS, type Command, type Context } from './commands.ts';

export const USAGE = `usage: rnn-lab COMMAND [options]      (--db PATH or RNN_LAB_DB selects the database; --json for machine output)

  demo                         train RNN, LSTM and GRU side by side on a built-in task (no database)
  serve [--host H] [--port P] [--workers N]   the app in a browser (browser mode): prints its URL
  corpus import FILE [--name NAME] [--keep-crlf] [--max-mb N]
  corpus task reber|recall|timing|dyck [--length N] [--seed S] [--lag L] [--symbols N] [--period K] [--depth D]
  corpus list | show ID | rm ID
  experiment create --corpus ID --cells rnn,lstm,lstm-peephole,gru,gru-reset-after [--init-from MODEL]
             [--hidden N | --params N] [--layers L] [--embedding E] [--seq T] [--batch B] [--steps N]
             [--threads N] [--optimizer adam|adamw|sgd|rmsprop|adagrad] [--lr X] [--clip X] [--dropout X] [--seeds K]
             [--eval-every N] [--checkpoint-every N] [--sample-every N] [--name NAME]
             --threads N: each run's batch split over N threads (runs x threads never exceed --workers)
             --init-from MODEL: start from an imported model's weights (its cell, hidden, layers, embedding;
             the corpus must have exactly its vocabulary)
  experiment list | show ID | run ID [--workers N] | rm ID   (run exits 1 if a run failed, 130 after Ctrl-C)
  run show ID | pause ID | resume ID [--workers N] | cancel ID
  eval RUN --text FILE [--checkpoint best|last]
  generate RUN | --model MODEL [--prime TEXT] [--length N] [--temperature X] [--top-k K] [--seed S] [--checkpoint best|last]
  model export RUN --out FILE.safetensors|FILE.onnx [--onnx step|whole] [--checkpoint best|last]
  model import FILE [--vocab VOCAB.json] [--name NAME]   store a model file (ours, or PyTorch with --vocab); prints its id
  model list | rm MODEL
  diagnose gradient-flow RUN [--checkpoint best|last] [--window T]   how much of the loss at a window's end
             reaches the hidden state k steps back (validation text, default checkpoint last)
  diagnose baselines CORPUS    uniform, unigram and n-gram (n <= 5, Kneser-Ney) losses to beat
  metrics export EXPERIMENT --out FILE.csv|FILE.json
  report EXPERIMENT --out FILE.html   one self-contained HTML page: configs, summary, loss charts, samples`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  stdout: NodeJS.WriteStream;
}

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || ['help', '--help', '-h'].includes(first)) {
    io.out(USAGE + '\n');
    return first === undefined ? 2 : 0;
  }
  const key = COMMANDS[`${first} ${second}`] ? `${first} ${second}` : first;
  const command: Command | undefined = COMMANDS[key];
  if (!command) {
    // "corpus frobnicate" names a group and a word; "bogus --db x" names only "bogus"
    const group = Object.keys(COMMANDS).some((k) => k.startsWith(`${first} `));
    io.err(`rnn-lab: unknown command ${JSON.stringify(argv.slice(0, group && second !== undefined ? 2 : 1).join(' '))}\n${USAGE}\n`);
    return 2;
  }
  const rest = argv.slice(key.split(' ').length);
  const options: ParseArgsConfig['options'] = {
    ...command.options,
    db: { type: 'string' },
    json: { type: 'boolean', default: false },
  };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    io.err(`rnn-lab ${key}: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  // a name ending in '?' is an optional positional (the command checks what it needs)
  const names = command.positionals ?? [];
  const required = names.filter((p) => !p.endsWith('?')).length;
  if (positionals.length < required || positionals.length > names.length) {
    const expected = names.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1).toUpperCase()}]` : p.toUpperCase())).join(' ');
    io.err(`rnn-lab ${key}: expected ${expected || 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}\n`);
    return 2;
  }
  let lab: Lab | null = null;
  try {
    if (command.needsLab !== false) {
      const db = databasePath(values.db as string | undefined);
      if (db !== ':memory:') mkdirSync(dirname(db), { recursive: true });
      lab = Lab.open({ db, workers: values.workers ? wholeNumber('--workers', values.workers as string) : undefined });
    }
    const ctx: Context = { lab: lab!, values, positionals, io, json: values.json === true };
    const result = await command.run(ctx);
    if (values.json === true && result !== undefined) io.out(JSON.stringify(result) + '\n');
    return ctx.exitCode ?? 0;
  } catch (e) {
    io.err(`rnn-lab ${key}: ${describe(e)}\n`);
    return 1;
  } finally {
    await lab?.close();
  }
}

function describe(e: unknown): string {
  const known = [ConfigError, CorpusError, LabError, ModelFileError, StoreError];
  if (known.some((k) => e instanceof k)) return (e as Error).message;
  return (e as Error)?.stack ?? String(e);
}

export function wholeNumber(flag: string, s: string, min = 1): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < min) throw new LabError('bad-input', `${flag} must be a whole number >= ${min}, got ${JSON.stringify(s)}`);
  return v;
}

export function realNumber(flag: string, s: string): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new LabError('bad-input', `${flag} must be a number, got ${JSON.stringify(s)}`);
  return v;
}

/** Runs the command line of this process and sets its exit code. */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdout: process.stdout,
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) void runCli();
