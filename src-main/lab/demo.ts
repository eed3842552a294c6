/** The experiment a fresh lab opens with, so the first thing a user sees is one they can start. */
import type { ExperimentSpecInput } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { CorpusService } from './corpus-service.ts';
import type { ExperimentService } from './experiment-service.ts';

/** Steps from a letter to its recall: a plain RNN of the demo's budget does not bridge them, the gated cells do. */
const DEMO_LAG = 20;

export const DEMO_EXPERIMENT_NAME = `Demo: RNN vs LSTM vs GRU recalling a letter ${DEMO_LAG} steps back`;

/**
 * The recall task (4 letters: chance is 25%): 100,000 characters, so the validation text is the
 * last 10,000, read whole at every evaluation (the curves have no jump at the end, where the final
 * evaluation reads it all) with about 450 recalls in it.
 */
export const DEMO_TASK = { lag: DEMO_LAG, length: 100_000 };

/**
 * RNN, LSTM and GRU with an equal parameter budget (3,940: hidden 56, 27 and 32 give 3,926, 3,948
 * and 3,942 parameters), three seeds each, the same data, batch order per seed and steps.
 *
 * Why these settings, tuned on this task: at lag 16 a plain RNN with 57 units learns the recall too,
 * in most seeds (Adam at 0.003-0.01); at lag 20 it stays at chance. Adam at 0.02 with a 100-step
 * warm-up and a cosine decay to 0.0003 gets most gated seeds past 90% in 1,000-3,000 steps, and the
 * decay keeps them there: at a constant 0.005-0.01 their accuracy swung between 25% and 95% and
 * their loss spiked. With beta2 0.99 (not 0.999) Adam's steps follow a jump in the gradient sooner.
 * Clipping is at norm 1: at 0.25 the gated cells learned more slowly. Batch 8 gives twice the updates of batch
 * 16 in the same time, and windows of 48 let 28 of every 48 recalls reach their letter by
 * back-propagation. Over seeds 1-16 the final long-range accuracy was 23-30% for the RNN, 67-96%
 * for the LSTM and 72-98% for the GRU, so three seeds per cell already leave Welch's interval of
 * each gated cell's lead well clear of 0 (checked on seeds 1-3, 4-6, 7-9, 10-12 and 13-15).
 */
export const DEMO_SPEC: ExperimentSpecInput = {
  cells: ['rnn', 'lstm', 'gru'],
  seeds: 3,
  budget: { mode: 'params', params: 3940 },
  train: {
    seqLen: 48,
    batch: 8,
    steps: 3000,
    clip: 1,
    optimizer: { name: 'adam', lr: 0.02, beta2: 0.99 },
    schedule: { name: 'cosine', minLr: 0.0003, warmup: 100 },
  },
  cadence: { evalEvery: 100, evalChars: 0, checkpointEvery: 500, sampleLength: 100 },
};

/**
 * On a fresh database (no corpora, no experiments): the recall task corpus (a letter must be
 * repeated DEMO_LAG steps later) and a demo experiment, ready but not started. Returns the
 * experiment's id, or null when the database was not empty.
 */
export function ensureDemo(store: LabStore, corpora: CorpusService, experiments: ExperimentService): number | null {
  if (store.corpora.list().length > 0 || store.experiments.list().length > 0) return null;
  const { corpus } = corpora.createTaskCorpus('recall', DEMO_TASK);
  return experiments.createExperiment({ corpusId: corpus.id, name: DEMO_EXPERIMENT_NAME, spec: DEMO_SPEC }).experiment.id;
}
