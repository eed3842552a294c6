/**
 * Piscina tasks on a finished or paused model (run with the `name` option): `evaluate` scores a
 * text, `generate` writes text and streams it over the task's port as it goes, `diagnose` looks
 * inside the model on a text. The model comes from a model file (loadModel) or from the weights of
 * a training state (Trainer.saveState). `baselines` needs no model: it fits n-grams to a corpus.
 */
// first: relaxed SIMD on before any kernels compile
import './wasm-features.ts';
import { GENERATE_MAX_LENGTH, type BaselinesResult, type BaselinesTask, type DiagnoseResult, type DiagnoseTask, type EvaluateTask, type GenerateEvent, type GenerateResult, type GenerateTask, type ModelSource } from './model-protocol.ts';
import { baselines as computeBaselines } from './engine/baselines.ts';
import { ConfigError } from './engine/config.ts';
import { Vocab } from './engine/data.ts';
import { evaluate as evaluateModel, type EvalResult } from './engine/evaluate.ts';
import { gateSaturation, traceCells } from './engine/diagnostics/cell-trace.ts';
import { characterLosses } from './engine/diagnostics/char-loss.ts';
import { gradientFlow } from './engine/diagnostics/gradient-flow.ts';
import { correlatedUnits, textFeatures } from './engine/diagnostics/text-features.ts';
import { createKernels } from './engine/kernel-sets.ts';
import { loadModel } from './engine/model-file.ts';
import type { Kernels } from './engine/kernels.ts';
import { Model } from './engine/model.ts';
import { Rng } from './engine/rng.ts';
import { Sampler } from './engine/sample.ts';
import { modelFromState } from './engine/trainer.ts';

const CHUNK_MS = 50;

/**
 * The model, with its weights moved into the memory of a fresh kernel set (the same kernels as
 * training, so an evaluation here equals the worker's own to the bit).
 */
function open(source: ModelSource): { model: Model; vocab: string[] | null; kernels: Kernels } {
  const loaded = source.kind === 'file' ? loadModel(source.bytes) : { model: modelFromState(source.state).model, vocab: null };
  const kernels = createKernels();
  const model = new Model(loaded.model.config, 'f32', kernels.alloc?.bind(kernels));
  model.params.set(loaded.model.params);
  return { model, vocab: loaded.vocab, kernels };
}

export async function evaluate(task: EvaluateTask): Promise<EvalResult> {
  const { model, kernels } = open(task.source);
  return evaluateModel(model, kernels, new Uint16Array(task.ids), { streams: task.streams, chunk: task.chunk });
}

export async function generate(task: GenerateTask): Promise<GenerateResult> {
  if (!Number.isInteger(task.length) || task.length < 0 || task.length > GENERATE_MAX_LENGTH) {
    throw new ConfigError('length', `must be a whole number from 0 to ${GENERATE_MAX_LENGTH}, got ${task.length}`);
  }
  const opened = open(task.source);
  const model = opened.model;
  const vocab = task.vocab ?? opened.vocab;
  if (!vocab) throw new ConfigError('vocab', 'is needed to generate from a training state');
  if (vocab.length !== model.config.vocabSize) throw new ConfigError('vocab', `has ${vocab.length} characters but the model has ${model.config.vocabSize}`);
  const sampler = new Sampler(model, opened.kernels, new Rng(task.seed), {
    temperature: task.temperature,
    topK: task.topK,
    greedy: task.greedy,
  });
  sampler.feed(new Vocab(vocab).encode(task.prime));
  let text = '';
  let sent = 0;
  let lastSend = performance.now();
  for (let i = 0; i < task.length; i++) {
    text += vocab[sampler.next()];
    if (task.port && performance.now() - lastSend >= CHUNK_MS) {
      task.port.postMessage({ type: 'text', text: text.slice(sent) } satisfies GenerateEvent);
      sent = text.length;
      lastSend = performance.now();
      await new Promise(setImmediate);
    }
  }
  if (task.port && sent < text.length) task.port.postMessage({ type: 'text', text: text.slice(sent) } satisfies GenerateEvent);
  return { text };
}

// ---- diagnostics: see inside the cells (task types in diagnose-protocol.ts) ----

export async function diagnose(task: DiagnoseTask): Promise<DiagnoseResult> {
  const opened = open(task.source);
  const { model, kernels } = opened;
  const ids = new Uint16Array(task.ids);
  const r = task.request;
  switch (r.kind) {
    case 'gradientFlow': {
      const { kind: _, ...opts } = r;
      return { kind: r.kind, flow: gradientFlow(model, kernels, ids, opts) };
    }
    case 'cells': {
      const vocab = task.vocab ?? opened.vocab;
      if (!vocab) throw new ConfigError('vocab', 'is needed to read text features with a training state');
      if (vocab.length !== model.config.vocabSize) throw new ConfigError('vocab', `has ${vocab.length} characters but the model has ${model.config.vocabSize}`);
      const trace = traceCells(model, kernels, ids, { chunk: r.chunk });
      return { kind: r.kind, trace, correlated: correlatedUnits(trace, textFeatures(new Vocab(vocab).decode(ids)), r.top) };
    }
    case 'saturation': {
      const { kind: _, ...opts } = r;
      return { kind: r.kind, entries: gateSaturation(model, kernels, ids, opts) };
    }
    case 'characterLosses':
      return { kind: r.kind, losses: characterLosses(model, kernels, ids, { topK: r.topK, chunk: r.chunk }) };
    default:
      throw new ConfigError('request.kind', `unknown diagnostic ${JSON.stringify((r as { kind: unknown }).kind)}; allowed: gradientFlow, cells, saturation, characterLosses`);
  }
}

export async function baselines(task: BaselinesTask): Promise<BaselinesResult> {
  return computeBaselines(new Uint16Array(task.trainIds), new Uint16Array(task.validIds), task.vocabSize, { maxOrder: task.maxOrder });
}
