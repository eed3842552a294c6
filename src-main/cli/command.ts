/** What every rnn-lab command is: its declaration (name, usage, summary, options) beside its handler. */
import type { ParseArgsConfig } from 'node:util';
import type { Lab } from '../lab/lab.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  stdout: NodeJS.WriteStream;
}

export interface Context {
  lab: Lab;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  io: Io;
  json: boolean;
  /** set by a command that succeeded but must exit non-zero (130 after Ctrl-C) */
  exitCode?: number;
}

/** what a command that opens no database gets (rnn-lab worker: it must never touch the lab's file) */
export type BareContext = Omit<Context, 'lab'>;

interface CommandBase {
  /** the words that name it: 'eval', 'corpus import' */
  name: string;
  /** what follows the name on its usage line: its arguments and options, e.g. 'FILE [--name NAME]' */
  usage: string;
  /** what it does, in one line */
  summary: string;
  /** further lines of help: what an option means, exit codes */
  notes?: string[];
  /** a name ending in '?' is optional (the command checks what it needs) */
  positionals?: string[];
  options?: ParseArgsConfig['options'];
}

export type Command =
  | (CommandBase & { bare?: false; run(ctx: Context): Promise<unknown> | unknown })
  | (CommandBase & { bare: true; run(ctx: BareContext): Promise<unknown> | unknown });
