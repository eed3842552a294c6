/**
 * What a worker checks before it trains a job: the same checks a run passes in the lab (the
 * engine's modelConfig and trainConfig, the cadence's ranges, the memory limits of this machine),
 * and the shape of the job itself, since anyone who can write to the Redis queue can hand a
 * worker a job. A job that fails is refused with the reason, and never reaches the trainer.
 */
import { ConfigError, modelConfig, trainConfig, type ModelConfigInput, type TrainConfigInput } from '../../src-worker/engine/config.ts';
import { CADENCE_MIN, LIMITS } from '../../src-shared/limits.ts';
import type { Cadence } from '../../src-worker/train-report.ts';
import { memoryRefusal, plannedMemory, type Machine } from '../lab/estimate.ts';
import type { TrainJob } from './wire.ts';

export class JobRefused extends Error {}

const JOB_KEYS: (keyof TrainJob)[] = [
  'runId', 'model', 'train', 'cadence', 'vocab', 'trainIds', 'validIds', 'validMasks', 'resume', 'initWeights', 'elapsedBefore', 'bestValLoss', 'resumeStep',
];
const CADENCE_KEYS = Object.keys(CADENCE_MIN) as (keyof Cadence)[];
const SHA = /^[0-9a-f]{64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The job's fields checked, with the model and training settings as the engine reads them; throws JobRefused naming the first problem. */
export function validateJob(data: unknown, worker: { threads: number }): TrainJob {
  if (!isObject(data)) throw new JobRefused('the job is not an object');
  const extra = Object.keys(data).filter((k) => !(JOB_KEYS as string[]).includes(k));
  if (extra.length) throw new JobRefused(`the job has unknown fields: ${extra.join(', ')}`);
  const missing = JOB_KEYS.filter((k) => !(k in data));
  if (missing.length) throw new JobRefused(`the job lacks ${missing.join(', ')}`);
  const j = data as unknown as TrainJob;
  if (!Number.isSafeInteger(j.runId) || j.runId < 1) throw new JobRefused(`runId must be a whole number >= 1, got ${String(j.runId)}`);
  if (!isObject(j.model) || !isObject(j.train)) throw new JobRefused('model and train must be objects');
  let model, train;
  try {
    model = modelConfig(j.model as unknown as ModelConfigInput);
    train = trainConfig(j.train as unknown as TrainConfigInput);
  } catch (e) {
    if (e instanceof ConfigError) throw new JobRefused(e.message);
    throw e;
  }
  if (train.threads > worker.threads) {
    throw new JobRefused(`the run trains on ${train.threads} threads but this worker gives a run at most ${worker.threads} (rnn-lab worker --threads ${train.threads})`);
  }
  checkCadence(j.cadence);
  if (!Array.isArray(j.vocab) || j.vocab.length !== model.vocabSize || j.vocab.some((c) => typeof c !== 'string' || c.length === 0 || c.length > 2)) {
    throw new JobRefused(`vocab must be ${model.vocabSize} characters (the model's vocabSize)`);
  }
  for (const k of ['trainIds', 'validIds'] as const) if (typeof j[k] !== 'string' || !SHA.test(j[k])) throw new JobRefused(`${k} must name a blob (64 hex digits)`);
  for (const k of ['resume', 'initWeights'] as const) {
    if (j[k] !== null && (typeof j[k] !== 'string' || !SHA.test(j[k]))) throw new JobRefused(`${k} must name a blob (64 hex digits) or be null`);
  }
  if (j.validMasks !== null && !(isObject(j.validMasks) && SHA.test(String(j.validMasks.predictable)) && SHA.test(String(j.validMasks.longRange)) && Object.keys(j.validMasks).length === 2)) {
    throw new JobRefused('validMasks must be null or name two blobs (predictable, longRange)');
  }
  if (typeof j.elapsedBefore !== 'number' || !Number.isFinite(j.elapsedBefore) || j.elapsedBefore < 0) throw new JobRefused('elapsedBefore must be a number of seconds >= 0');
  if (j.bestValLoss !== null && (typeof j.bestValLoss !== 'number' || !Number.isFinite(j.bestValLoss))) throw new JobRefused('bestValLoss must be a finite number or null');
  if (!Number.isSafeInteger(j.resumeStep) || j.resumeStep < 0 || j.resumeStep > train.steps) throw new JobRefused(`resumeStep must be a whole number from 0 to the run's ${train.steps} steps`);
  if ((j.resume === null) !== (j.resumeStep === 0)) throw new JobRefused('resumeStep and resume disagree: a resume has a step above 0, a fresh start neither');
  return { ...j, model, train };
}

function checkCadence(c: unknown): void {
  if (!isObject(c)) throw new JobRefused('cadence must be an object');
  const extra = Object.keys(c).filter((k) => !(CADENCE_KEYS as string[]).includes(k));
  if (extra.length) throw new JobRefused(`cadence has unknown fields: ${extra.join(', ')}`);
  for (const k of CADENCE_KEYS) {
    const v = c[k];
    if (!Number.isSafeInteger(v) || (v as number) < CADENCE_MIN[k] || (v as number) > LIMITS.steps) {
      throw new JobRefused(`cadence.${k} must be a whole number from ${CADENCE_MIN[k]} to ${LIMITS.steps}, got ${String(v)}`);
    }
  }
}

/** The token ids are each below the vocabulary's size (the trainer indexes its tables with them). */
export function checkIds(name: string, ids: Uint16Array, vocabSize: number): void {
  if (ids.length < 2) throw new JobRefused(`${name} has ${ids.length} tokens; a run needs at least 2`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] >= vocabSize) throw new JobRefused(`${name} has token ${ids[i]} at ${i}, outside the vocabulary of ${vocabSize}`);
  }
}

/** The lab's memory limits, on this worker's machine. */
export function checkMemory(job: TrainJob, chars: { trainChars: number; validChars: number }, machine: Machine): void {
  const planned = { cell: job.model.cell, seed: job.train.seed, model: job.model, train: job.train, params: 0, trial: null };
  const refusal = memoryRefusal(`run ${job.runId}`, planned, plannedMemory(planned, chars, job.cadence, machine), machine);
  if (refusal) throw new JobRefused(refusal);
}
