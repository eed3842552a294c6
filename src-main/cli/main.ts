#!/usr/bin/env node
/**
 * The rnn-lab command: the lab's services from a terminal or a script. With --json every command
 * prints one JSON document on stdout; errors go to stderr with a non-zero exit code (2 for a
 * mistake in the command line, with its usage). Everything else it prints goes through
 * forTerminal, so text from files and other users cannot drive the terminal. A reader that closes
 * the pipe early (`| head -1`) ends the command quietly with 141, as SIGPIPE would.
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
import { readOnlyWrite, StoreError } from '../store/errors.ts';
import { loneSurrogate } from '../api/validate.ts';
import { wholeNumber } from './args.ts';
import type { BareContext, Command, Context, Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { remoteOption } from './remote.ts';
import { RedisUrlError } from '../remote/redis-url.ts';
import { helpText, usageOf } from './help.ts';
import { forTerminal } from './terminal.ts';

const isHelp = (word: string | undefined): boolean => word === '--help' || word === '-h';

/** Runs one command line; returns the exit code. */
async function main(argv: string[], raw: Io): Promise<number> {
  let json = false;
  const io: Io = { out: (t) => raw.out(json ? t : forTerminal(t)), err: (t) => raw.err(forTerminal(t)), stdout: raw.stdout };
  const malformed = malformedArgument(argv);
  if (malformed) {
    io.err(`rnn-lab: ${malformed}: it is not valid Unicode text\n`);
    return 2;
  }
  const [first, second] = argv;
  if (first === undefined || first === 'help' || isHelp(first)) {
    // `help corpus import --db x` helps with the words before the options
    const flag = argv.findIndex((w, i) => i > 0 && w.startsWith('-'));
    const words = first === 'help' ? argv.slice(1, flag < 0 ? argv.length : flag) : [];
    const text = helpText(COMMANDS, words);
    if (text === null) return unknown(io, words.join(' '), helpText(COMMANDS, [])!);
    io.out(text);
    return first === undefined ? 2 : 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === `${first} ${second}`) ?? COMMANDS.find((c) => c.name === first);
  if (!command) {
    // "corpus frobnicate" names a group and a word; "bogus --db x" names only "bogus"
    const group = helpText(COMMANDS, [first]);
    if (group !== null && isHelp(second)) {
      io.out(group);
      return 0;
    }
    return unknown(io, argv.slice(0, group !== null && second !== undefined ? 2 : 1).join(' '), group ?? helpText(COMMANDS, [])!);
  }
  const key = command.name;
  const options: ParseArgsConfig['options'] = {
    ...command.options,
    db: { type: 'string' },
    'read-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv.slice(key.split(' ').length), options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    io.err(`rnn-lab ${key}: ${(e as Error).message}\n${usageOf(command)}`);
    return 2;
  }
  const { values, positionals } = parsed;
  json = values.json === true;
  if (values.help === true) {
    io.out(helpText(COMMANDS, key.split(' '))!);
    return 0;
  }
  const names = command.positionals ?? [];
  const required = names.filter((p) => !p.endsWith('?')).length;
  if (positionals.length < required || positionals.length > names.length) {
    const expected = names.map((p) => (p.endsWith('?') ? `[${p.slice(0, -1).toUpperCase()}]` : p.toUpperCase())).join(' ');
    io.err(`rnn-lab ${key}: expected ${expected || 'no arguments'}, got ${positionals.length ? positionals.join(' ') : 'none'}\n${usageOf(command)}`);
    return 2;
  }
  let lab: Lab | null = null;
  try {
    const bare: BareContext = { values, positionals, io, json: values.json === true };
    let result: unknown;
    if (command.bare) {
      result = await command.run(bare);
    } else {
      const db = databasePath(values.db as string | undefined);
      const readOnly = values['read-only'] === true;
      if (db !== ':memory:' && !readOnly) mkdirSync(dirname(db), { recursive: true });
      const workers = values.workers ? wholeNumber('--workers', values.workers as string) : undefined;
      lab = Lab.open({ db, readOnly, workers, ...remoteOption(values, io) });
      const ctx: Context = { ...bare, lab };
      result = await command.run(ctx);
      bare.exitCode = ctx.exitCode;
    }
    if (values.json === true && result !== undefined) io.out(JSON.stringify(result) + '\n');
    return bare.exitCode ?? 0;
  } catch (e) {
    io.err(`rnn-lab ${key}: ${describe(e)}\n`);
    return 1;
  } finally {
    await lab?.close();
  }
}

/** The first argument that is not well-formed Unicode (a lone surrogate: runCli's argv may have one), said with its option. */
function malformedArgument(argv: string[]): string | null {
  for (const [i, word] of argv.entries()) {
    const bad = loneSurrogate(word);
    if (!bad) continue;
    const option = /^--[\w-]+(?==)/.exec(word)?.[0] ?? (argv[i - 1]?.startsWith('--') ? argv[i - 1] : null);
    return `argument ${i + 1}${option ? ` (${option})` : ''} has ${bad}`;
  }
  return null;
}

function unknown(io: Io, words: string, usage: string): number {
  io.err(`rnn-lab: unknown command ${JSON.stringify(words)}\n${usage}`);
  return 2;
}

function describe(e: unknown): string {
  const known = [ConfigError, CorpusError, LabError, ModelFileError, RedisUrlError, StoreError];
  if (known.some((k) => e instanceof k)) return (e as Error).message;
  const readOnly = readOnlyWrite(e);
  if (readOnly) return readOnly.message;
  return (e as Error)?.stack ?? String(e);
}

/** Runs the command line of this process and sets its exit code. */
export async function runCli(argv = process.argv.slice(2)): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', endOnClosedPipe);
  process.exitCode = await main(argv, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdout: process.stdout,
  });
}

/**
 * Node ignores SIGPIPE, so a write to a pipe its reader closed fails with EPIPE: end as SIGPIPE
 * would have, quietly. Runs this process was training are found interrupted by the next command
 * and resume from their last checkpoint.
 */
function endOnClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  process.exit(141);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) void runCli();
