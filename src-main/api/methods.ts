/**
 * Every LabApi method once: the schema of its request and the handler that answers it. The IPC
 * registration, the preload and the HTTP routes all go through `dispatch`, which validates the
 * request, calls the handler and turns failures into { ok: false, code, message }. Handlers are
 * plain functions of (lab, request, context), tested without Electron or HTTP.
 *
 * The schemas refuse wrong types and unknown keys and cap every size; the finer checks of an
 * experiment's configuration stay with the engine and lab validators (ConfigError names the field).
 */
import { availableParallelism } from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { CELL_NAMES } from '../../src-worker/engine/cells/index.ts';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { ModelFileError } from '../../src-worker/engine/model-file.ts';
import { CorpusError, DEFAULT_MAX_BYTES } from '../lab/corpora.ts';
import { Lab, LabError } from '../lab/lab.ts';
import { COMMON_PARAMS, TASK_NAMES, TASKS, type TaskName } from '../lab/tasks/index.ts';
import { RedisUrlError } from '../remote/redis-url.ts';
import { readOnlyWrite, StoreError } from '../store/errors.ts';
import { FLOW_MAX_WINDOW } from '../lab/inside.ts';
import { DIAGNOSE_MAX_PASSAGE, LIMITS } from '../../src-shared/limits.ts';
import { LANGS } from '../../src-shared/locales/index.ts';
import { MAX_SWEEP_VALUES, SWEEP_PARAM_NAMES, type SweepRange, type SweepValue } from '../../src-shared/sweep/params.ts';
import type { ApiEvent, ErrorCode, ExperimentDetails, MethodName, Request, Response, Result } from './contract.ts';
import { EXECUTION_METHODS } from './execution-methods.ts';
import { exportMetrics, exportModel, exportReport, safeFileName } from './exports.ts';
import { empty, v, ValidationError, type Schema } from './validate.ts';

export interface HandlerContext {
  /** pushes an event to the caller (and, over HTTP, to every listener) */
  emit(e: ApiEvent): void;
  /** what appInfo reports: 'electron' or 'browser' */
  shell?: string;
  /** what appInfo reports as the system's locale; the desktop shell knows it */
  locale?: string;
  /** the desktop shell's window printed with its print CSS; absent where the shell cannot print (browser mode, tests) */
  printToPdf?(): Promise<Uint8Array>;
}

export interface MethodSpec<M extends MethodName> {
  request: Schema<Request<M>>;
  handle(lab: Lab, req: Request<M>, ctx: HandlerContext): Response<M> | Promise<Response<M>>;
}

// ---- request schemas ----

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const id = v.int({ min: 1, max: MAX_SAFE });
const byId = v.object({ id });
const checkpoint = v.enum(['best', 'last']);
/**
 * A name the database keeps: SQLite's length() ends a text at its first NUL, so a name with one
 * fails the tables' non-empty check (or is cut short by anything reading it as a C string).
 */
function nameSchema(min: number): Schema<string> {
  const text = v.string({ min, max: 200 });
  return {
    parse(value, path) {
      const s = text.parse(value, path);
      const at = s.indexOf('\u0000');
      if (at >= 0) throw new ValidationError(path, `has a NUL character (U+0000) at position ${at}, which a name may not`);
      return s;
    },
  };
}
const name = nameSchema(1);
/** finite, and wide: the engine checks the real range and names the field */
const real = v.optional(v.number({ min: -1e9, max: 1e9 }));
const count = (max: number, min = 0) => v.optional(v.int({ min, max }));

/** a passage of the validation text, or the user's own (the lab counts characters, not UTF-16 units) */
const passage = {
  start: count(MAX_SAFE),
  length: count(DIAGNOSE_MAX_PASSAGE, 2),
  text: v.optional(v.string({ min: 2, max: 2 * DIAGNOSE_MAX_PASSAGE })),
};

const modelShared = {
  layers: count(LIMITS.layers, 1),
  embedding: count(LIMITS.embedding),
  dropout: real, // [0, 1): the engine names the open end, which this schema cannot
  init: v.optional(v.enum(['pytorch', 'char-rnn'])),
  forgetBias: real,
};

const train = v.object({
  seqLen: count(LIMITS.seqLen, 1),
  batch: count(LIMITS.batch, 1),
  threads: count(LIMITS.threads, 1),
  steps: count(LIMITS.steps, 1),
  clip: real,
  optimizer: v.optional(v.object({
    name: v.optional(v.enum(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'])),
    lr: real,
    momentum: real,
    beta1: real,
    beta2: real,
    eps: real,
    weightDecay: real,
    alpha: real,
  })),
  schedule: v.optional(v.object({
    name: v.optional(v.enum(['constant', 'step', 'cosine'])),
    stepSize: count(LIMITS.steps, 1),
    gamma: real,
    minLr: real,
    warmup: count(LIMITS.steps),
  })),
});

const override = v.optional(v.object({
  model: v.optional(v.object({ ...modelShared, hidden: count(LIMITS.hidden, 1) })),
  train: v.optional(train),
}));

/** a swept value: a number (the lab checks its setting's range) or an optimizer's name */
const sweepValue: Schema<SweepValue> = {
  parse: (value, path) => (typeof value === 'string' ? v.string({ min: 1, max: 20 }).parse(value, path) : v.number({ min: -1e9, max: 1e9 }).parse(value, path)),
};
const sweepName = v.enum(SWEEP_PARAM_NAMES);
const scaleRange = v.object({ name: sweepName, scale: v.enum(['log', 'linear']), min: v.number({ min: -1e9, max: 1e9 }), max: v.number({ min: -1e9, max: 1e9 }), points: count(MAX_SWEEP_VALUES, 2) });
const listRange = v.object({ name: sweepName, values: v.array(sweepValue, { min: 1, max: MAX_SWEEP_VALUES }) });
/** a range has values, or a scale with its ends */
const sweepRange: Schema<SweepRange> = {
  parse: (value, path) => (value !== null && typeof value === 'object' && 'values' in value ? listRange.parse(value, path) : scaleRange.parse(value, path)),
};
const halvingRule = v.object({ eta: v.int({ min: 2, max: 100 }), minSteps: v.int({ min: 1, max: LIMITS.steps }) });
const sweepSchema = v.object({
  search: v.enum(['grid', 'random']),
  trials: v.int({ min: 1, max: LIMITS.trials }),
  drawSeed: v.int({ min: 0, max: LIMITS.firstSeed }),
  ranges: v.array(sweepRange, { min: 1, max: SWEEP_PARAM_NAMES.length }),
  halving: { parse: (value: unknown, path: string) => (value === null ? null : halvingRule.parse(value, path)) } satisfies Schema<{ eta: number; minSteps: number } | null>,
});

export const experimentSpecSchema = v.object({
  cells: v.array(v.enum(CELL_NAMES), { min: 1, max: CELL_NAMES.length }),
  seeds: count(LIMITS.seeds, 1),
  firstSeed: count(LIMITS.firstSeed),
  budget: v.optional(v.variant('mode', {
    hidden: v.object({ mode: v.enum(['hidden']), hidden: v.int({ min: 1, max: LIMITS.hidden }) }),
    params: v.object({ mode: v.enum(['params']), params: v.int({ min: 1, max: LIMITS.params }) }),
  })),
  model: v.optional(v.object(modelShared)),
  train: v.optional(train),
  overrides: v.optional(v.object(Object.fromEntries(CELL_NAMES.map((c) => [c, override])) as Record<(typeof CELL_NAMES)[number], typeof override>)),
  cadence: v.optional(v.object({
    metricsEvery: count(LIMITS.steps, 1),
    evalEvery: count(LIMITS.steps, 1),
    evalChars: count(1e9),
    sampleEvery: count(LIMITS.steps),
    sampleLength: count(100_000, 1),
    checkpointEvery: count(LIMITS.steps, 1),
  })),
  initFrom: v.optional(v.object({ modelId: id })),
  // no `confirms`: only confirmSweep makes a confirmation, so a sweep's verdict names the one it made
  sweep: v.optional(sweepSchema),
});

/** largest model file the API takes */
export const MAX_MODEL_BYTES = 100 * 1024 * 1024;

// ---- the methods ----

function details(lab: Lab, experimentId: number): ExperimentDetails {
  return lab.experiment(experimentId);
}

export const LAB_METHODS = {
  appInfo: {
    request: empty,
    handle: (lab, _req, ctx) => ({
      version: pkg.version,
      shell: ctx.shell ?? 'browser',
      cores: availableParallelism(),
      workers: lab.workers,
      database: lab.database,
      ...(ctx.locale ? { locale: ctx.locale } : {}),
    }),
  },
  listTasks: {
    request: empty,
    handle: () => TASK_NAMES.map((task) => ({ name: task, description: TASKS[task].description, params: [...TASKS[task].params, ...COMMON_PARAMS] })),
  },
  listCorpora: { request: empty, handle: (lab) => lab.listCorpora() },
  getCorpus: { request: byId, handle: (lab, req) => lab.corpus(req.id) },
  importCorpus: {
    request: v.object({
      name,
      bytes: v.bytes({ max: DEFAULT_MAX_BYTES }),
      keepCrlf: v.optional(v.boolean()),
      source: v.optional(v.string({ max: 1000 })),
    }),
    handle: (lab, req) => lab.importCorpus(req.bytes, { name: req.name, keepCrlf: req.keepCrlf, source: req.source }),
  },
  createTaskCorpus: {
    request: v.object({ task: v.enum(TASK_NAMES), params: v.record(v.number({ min: -MAX_SAFE, max: MAX_SAFE }), { maxKeys: 20, maxKeyLength: 50 }) }),
    handle: (lab, req) => lab.createTaskCorpus(req.task as TaskName, req.params), // the schema allows only TASK_NAMES
  },
  deleteCorpus: {
    request: byId,
    handle: (lab, req) => {
      lab.deleteCorpus(req.id);
      return null;
    },
  },
  listExperiments: { request: empty, handle: (lab) => lab.listExperiments() },
  getExperiment: { request: byId, handle: (lab, req) => details(lab, req.id) },
  planExperiment: {
    request: v.object({ corpusId: id, spec: experimentSpecSchema }),
    handle: (lab, req) => lab.planExperiment(req),
  },
  createExperiment: {
    request: v.object({ corpusId: id, name: v.optional(nameSchema(0)), spec: experimentSpecSchema }),
    handle: (lab, req) => details(lab, lab.createExperiment(req).experiment.id),
  },
  deleteExperiment: {
    request: byId,
    handle: (lab, req) => {
      lab.deleteExperiment(req.id);
      return null;
    },
  },
  runExperiment: {
    request: byId,
    handle: (lab, req) => {
      const queued = lab.runExperiment(req.id);
      if (queued.length === 0) throw new LabError('bad-state', `experiment ${req.id} has no run left to train (all completed, failed or cancelled)`);
      return { queued };
    },
  },
  resumeRun: {
    request: byId,
    handle: (lab, req) => {
      lab.resumeRun(req.id);
      return lab.run(req.id);
    },
  },
  pauseRun: {
    request: byId,
    handle: (lab, req) => {
      lab.pauseRun(req.id);
      return lab.run(req.id);
    },
  },
  cancelRun: {
    request: byId,
    handle: (lab, req) => {
      lab.cancelRun(req.id);
      return lab.run(req.id);
    },
  },
  duplicateRun: { request: byId, handle: (lab, req) => lab.duplicateRun(req.id) },
  getRunData: {
    request: v.object({ id, fromStep: v.optional(v.int({ min: 0, max: MAX_SAFE })) }),
    handle: (lab, req) => {
      const run = lab.run(req.id);
      const from = req.fromStep ?? 0;
      return {
        run,
        metrics: lab.store.metrics.list(run.id, { fromStep: from }),
        evals: lab.store.evals.list(run.id).filter((e) => e.step >= from),
        samples: lab.store.samples.list(run.id).filter((s) => s.step >= from),
      };
    },
  },
  compareRuns: {
    request: v.object({ ids: v.array(id, { min: 1, max: 100 }) }),
    handle: (lab, req) => lab.compareRuns(req.ids),
  },
  importModel: {
    request: v.object({
      name,
      bytes: v.bytes({ max: MAX_MODEL_BYTES }),
      vocab: v.optional(v.array(v.string({ min: 1, max: 16 }), { min: 1, max: LIMITS.vocab })),
    }),
    handle: (lab, req) => lab.importModel(req.bytes, { name: req.name, vocab: req.vocab }),
  },
  listModels: { request: empty, handle: (lab) => lab.listModels() },
  generate: {
    request: v.object({
      runId: v.optional(id),
      modelId: v.optional(id),
      prime: v.string({ max: 10_000 }),
      length: v.int({ min: 0, max: 100_000 }),
      temperature: v.number({ min: 0, max: 100 }),
      topK: v.int({ min: 0, max: LIMITS.vocab }),
      seed: v.int({ min: 0, max: MAX_SAFE }),
      checkpoint: v.optional(checkpoint),
      requestId: v.string({ min: 1, max: 100 }),
    }),
    handle: async (lab, req, ctx) => {
      const { runId, modelId, requestId, checkpoint: which, ...opts } = req;
      if ((runId === undefined) === (modelId === undefined)) throw new ValidationError('', 'give exactly one of runId (a run\'s checkpoint) and modelId (an imported model)');
      const onText = (t: string): void => ctx.emit({ type: 'generate', requestId, text: t });
      if (modelId !== undefined) {
        if (which !== undefined) throw new ValidationError('checkpoint', 'applies to runs, not to imported models');
        return { text: await lab.generateFromModel(modelId, opts, onText) };
      }
      return { text: await lab.generate(runId!, { ...opts, checkpoint: which }, onText) };
    },
  },
  exportModel: {
    request: v.object({ runId: id, checkpoint, format: v.optional(v.enum(['safetensors', 'onnx-step', 'onnx-whole'])) }),
    handle: (lab, req) => exportModel(lab, req.runId, req.checkpoint, req.format),
  },
  exportMetrics: {
    request: v.object({ experimentId: id, format: v.enum(['csv', 'json']) }),
    handle: (lab, req) => exportMetrics(lab, req.experimentId, req.format),
  },
  exportReport: {
    request: v.object({ experimentId: id, lang: v.optional(v.enum(LANGS)) }),
    handle: (lab, req) => exportReport(lab, req.experimentId, req.lang),
  },
  printPdf: {
    request: v.object({ title: v.string({ min: 1, max: 200 }) }),
    handle: async (_lab, req, ctx) => {
      if (!ctx.printToPdf) throw new LabError('bad-state', 'saving the window as a PDF needs the desktop app; in a browser, print the page and choose "Save as PDF"');
      return { fileName: `${safeFileName(req.title)}.pdf`, bytes: await ctx.printToPdf() };
    },
  },
  gradientFlow: {
    request: v.object({ runId: id, checkpoint: v.optional(checkpoint), window: count(FLOW_MAX_WINDOW, 1) }),
    handle: (lab, req) => lab.gradientFlow(req.runId, { checkpoint: req.checkpoint, window: req.window }),
  },
  inspectCells: {
    request: v.object({ runId: id, checkpoint: v.optional(checkpoint), ...passage }),
    handle: (lab, { runId, ...req }) => lab.inspectCells(runId, req),
  },
  characterLosses: {
    request: v.object({ runIds: v.array(id, { min: 1, max: 12 }), checkpoint: v.optional(checkpoint), topK: count(10, 1), ...passage }),
    handle: (lab, { runIds, ...req }) => lab.characterLosses(runIds, req),
  },
  getBaselines: {
    request: v.object({ corpusId: id }),
    handle: (lab, req) => lab.baselines(req.corpusId),
  },
  sweepReport: {
    request: v.object({ experimentId: id }),
    handle: (lab, req) => lab.sweepReport(req.experimentId),
  },
  confirmSweep: {
    request: v.object({ experimentId: id, seeds: count(LIMITS.seeds, 3) }),
    handle: (lab, req) => details(lab, lab.confirmSweep(req.experimentId, req.seeds)),
  },
  ...EXECUTION_METHODS,
} satisfies { readonly [M in MethodName]: MethodSpec<M> };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(LAB_METHODS, name);
}

/** Validates the request, calls the handler, and answers a Result; never throws. */
export async function dispatch(lab: Lab, method: string, rawReq: unknown, ctx: HandlerContext): Promise<Result<unknown>> {
  if (!isMethodName(method)) return { ok: false, code: 'bad-request', message: `unknown method ${JSON.stringify(String(method).slice(0, 100))}` };
  const spec = LAB_METHODS[method] as unknown as MethodSpec<MethodName>;
  try {
    const req = spec.request.parse(rawReq, '');
    return { ok: true, value: await spec.handle(lab, req, ctx) };
  } catch (e) {
    return failure(method, e);
  }
}

/** Expected failures keep their message; anything else is logged here and answered generically. */
export function failure(method: string, e: unknown): Result<never> {
  const err = readOnlyWrite(e) ?? e;
  const known = errorCode(err);
  if (known) return { ok: false, code: known, message: (err as Error).message };
  console.error(`rnn-lab: ${method} failed:`, e);
  return { ok: false, code: 'internal', message: `${method} failed because of an internal error; the details are in the log` };
}

function errorCode(e: unknown): ErrorCode | null {
  if (e instanceof ValidationError) return 'bad-request';
  if (e instanceof ConfigError) return 'invalid-config';
  if (e instanceof CorpusError) return 'invalid-corpus';
  if (e instanceof ModelFileError) return 'invalid-model';
  if (e instanceof RedisUrlError) return 'bad-request';
  if (e instanceof LabError) return e.code === 'bad-input' ? 'bad-request' : e.code;
  if (e instanceof StoreError && e.code === 'in-use') return 'bad-state';
  if (e instanceof StoreError && e.code === 'read-only') return 'read-only';
  return null;
}
