/**
 * The built-in tasks: synthetic texts generated from a seed, each probing one kind of memory, with
 * masks of the positions that can be predicted (see each task's file for exactly which). The same
 * name, parameters and seed always give the same text.
 */
import { ConfigError } from '../../../src-worker/engine/config.ts';
import type { TaskParamSpec } from '../../api/types.ts';
import { dyck } from './dyck.ts';
import { recall } from './recall.ts';
import { embeddedReberText } from './reber.ts';
import type { TaskText } from './task-text.ts';
import { timing } from './timing.ts';

export { maskedAccuracy, type MaskedAccuracy } from '../../../src-worker/engine/masked-accuracy.ts';
export { LONG_RANGE_MIN_LAG, type TaskText } from './task-text.ts';

/** Every task parameter is a whole number in [min, max]. */

/** Validated parameters: the task's own, plus length (characters) and seed. */
export type TaskParams = Record<string, number> & { length: number; seed: number };

export interface TaskSpec {
  description: string;
  /** the task's own parameters; length and seed (COMMON_PARAMS) come with every task */
  params: readonly TaskParamSpec[];
  /** expects validated parameters: call generateTask to have them checked */
  generate(params: TaskParams): TaskText;
}

export const COMMON_PARAMS: readonly TaskParamSpec[] = [
  { name: 'length', default: 100_000, min: 1, max: 50_000_000, meaning: 'characters to generate (the last sequence is cut off there)' },
  { name: 'seed', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER, meaning: 'seed of the generator: the same seed gives the same text' },
];

export type TaskName = 'reber' | 'recall' | 'timing' | 'dyck';

export const TASKS: Readonly<Record<TaskName, TaskSpec>> = {
  reber: {
    description: 'Embedded Reber grammar: the symbol before each final E repeats the second symbol, across the whole inner string.',
    params: [],
    generate: (p) => embeddedReberText(p.length, p.seed),
  },
  recall: {
    description: 'Delayed recall: the first letter of each line must be repeated after the "?" that comes lag steps later, past random distractor letters.',
    params: [
      { name: 'lag', default: 20, min: 2, max: 1000, meaning: 'steps from the letter to its recall' },
      { name: 'symbols', default: 4, min: 2, max: 26, meaning: 'letters used as keys and distractors' },
    ],
    generate: (p) => recall({ length: p.length, seed: p.seed, lag: p.lag, symbols: p.symbols }),
  },
  timing: {
    description: 'Timing: an X recurs exactly every period steps amid random letters; emitting it on time takes counting.',
    params: [
      { name: 'period', default: 10, min: 2, max: 1000, meaning: 'steps from one X to the next' },
      { name: 'symbols', default: 4, min: 2, max: 26, meaning: 'letters of the noise between the Xs' },
    ],
    generate: (p) => timing({ length: p.length, seed: p.seed, period: p.period, symbols: p.symbols }),
  },
  dyck: {
    description: 'Dyck-2: balanced ( ) and [ ] brackets, one string per line; each close must match its open bracket, however far back.',
    params: [
      { name: 'depth', default: 8, min: 1, max: 200, meaning: 'deepest nesting of brackets' },
    ],
    generate: (p) => dyck({ length: p.length, seed: p.seed, depth: p.depth }),
  },
};

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

function taskSpec(name: string): TaskSpec {
  if (!Object.hasOwn(TASKS, name)) throw new ConfigError('task', `unknown task ${JSON.stringify(name)}; the tasks are: ${TASK_NAMES.join(', ')}`);
  return TASKS[name as TaskName];
}

/** The task's parameters with defaults filled in, each checked against its range; throws ConfigError naming the parameter. */
export function resolveTaskParams(name: string, params: Readonly<Record<string, unknown>> = {}): TaskParams {
  const specs = [...taskSpec(name).params, ...COMMON_PARAMS];
  for (const key of Object.keys(params)) {
    if (!specs.some((s) => s.name === key)) {
      throw new ConfigError(`${name}.${key}`, `unknown parameter; task ${name} takes: ${specs.map((s) => s.name).join(', ')}`);
    }
  }
  const out: Record<string, number> = {};
  for (const s of specs) {
    const v = params[s.name] ?? s.default;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < s.min || v > s.max) {
      throw new ConfigError(`${name}.${s.name}`, `must be a whole number from ${s.min} to ${s.max} (${s.meaning}), got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    }
    out[s.name] = v;
  }
  return out as TaskParams;
}

/** The text of a built-in task; throws ConfigError for an unknown task or a parameter out of range. */
export function generateTask(name: string, params: Readonly<Record<string, unknown>> = {}): TaskText {
  return taskSpec(name).generate(resolveTaskParams(name, params));
}
