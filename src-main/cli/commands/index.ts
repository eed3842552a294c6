/** Every rnn-lab command, in the order --help lists them. */
import type { Command } from '../command.ts';
import { CORPUS_COMMANDS } from './corpus.ts';
import { DEMO_COMMANDS } from './demo.ts';
import { DIAGNOSE_COMMANDS } from './diagnose.ts';
import { EXPERIMENT_COMMANDS } from './experiment.ts';
import { METRICS_COMMANDS } from './metrics.ts';
import { MODEL_COMMANDS } from './model.ts';
import { REPORT_COMMANDS } from './report.ts';
import { RUN_COMMANDS } from './run.ts';
import { SERVE_COMMANDS } from './serve.ts';
import { SWEEP_COMMANDS } from './sweep.ts';
import { WORKER_COMMANDS } from './worker.ts';

export const COMMANDS: Command[] = [
  ...DEMO_COMMANDS,
  ...SERVE_COMMANDS,
  ...WORKER_COMMANDS,
  ...CORPUS_COMMANDS,
  ...EXPERIMENT_COMMANDS,
  ...SWEEP_COMMANDS,
  ...RUN_COMMANDS,
  ...MODEL_COMMANDS,
  ...DIAGNOSE_COMMANDS,
  ...METRICS_COMMANDS,
  ...REPORT_COMMANDS,
];
