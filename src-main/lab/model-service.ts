/**
 * Models: files imported into the lab (ours, or a torch.nn state_dict with its vocabulary), and a
 * run's checkpoint exported as a file that other tools load.
 */
import { createHash } from 'node:crypto';
import type { ModelConfig } from '../../src-worker/engine/config.ts';
import { importTorchModel, loadModel, ModelFileError, saveModel, type LoadedModel } from '../../src-worker/engine/model-file.ts';
import { parameterCount } from '../../src-worker/engine/param-layout.ts';
import { exportOnnx } from '../../src-worker/engine/onnx.ts';
import { modelFromState } from '../../src-worker/engine/trainer.ts';
import type { CheckpointKind, ExperimentSpec, ExportFormat, ModelInfo } from '../api/types.ts';
import type { LabStore } from '../store/lab-store.ts';
import type { ModelMeta } from '../store/types.ts';
import { LabError } from './errors.ts';
import type { LabRecords } from './records.ts';

export class ModelService {
  constructor(private readonly store: LabStore, private readonly records: LabRecords) {}

  /**
   * Stores a model file: ours (saveModel, it carries its vocabulary) or, with `vocab`, weights
   * saved from torch.nn (importTorchModel). The file is checked first and refused with
   * ModelFileError; the same file again returns the model already there.
   */
  importModel(bytes: Uint8Array, opts: { name: string; vocab?: string[] }): { model: ModelInfo; existing: boolean } {
    const name = opts.name.trim();
    if (name === '') throw new LabError('bad-input', 'a model needs a name');
    const format = opts.vocab === undefined ? 'rnn-lab' : 'pytorch';
    const loaded = decodeModel(bytes, format, opts.vocab ?? null);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const found = this.store.models.findBySha(sha256);
    if (found) {
      if (found.format === 'pytorch' && JSON.stringify(found.vocab) !== JSON.stringify(loaded.vocab)) {
        throw new LabError('bad-input', `this file is already imported as model ${found.id} "${found.name}" with another vocabulary`);
      }
      return { model: this.model(found.id), existing: true };
    }
    const id = this.store.models.insert({ name, format, sha256, config: loaded.model.config, vocab: loaded.vocab, provenance: loaded.provenance, bytes });
    return { model: this.model(id), existing: false };
  }

  listModels(): ModelInfo[] {
    return this.store.models.list().map(modelDetails);
  }

  model(id: number): ModelInfo {
    const m = this.store.models.getMeta(id);
    if (!m) throw new LabError('not-found', `no model ${id}`);
    return modelDetails(m);
  }

  /** Deletes an imported model that no experiment starts from. */
  deleteModel(id: number): void {
    this.model(id);
    const users = this.store.experiments.list().filter((e) => (e.spec as ExperimentSpec).initFrom?.modelId === id);
    if (users.length > 0) throw new LabError('bad-state', `model ${id} is what ${users.map((e) => `experiment ${e.id} "${e.name}"`).join(', ')} start(s) from; delete ${users.length === 1 ? 'it' : 'them'} first`);
    this.store.models.delete(id);
  }

  /** A stored model decoded, and a file the model worker reads (ours: as stored; PyTorch: re-saved). */
  modelFile(id: number): { meta: ModelInfo; loaded: LoadedModel; bytes: Uint8Array } {
    const stored = this.store.models.get(id);
    if (!stored) throw new LabError('not-found', `no model ${id}`);
    const loaded = decodeModel(stored.bytes, stored.format, stored.vocab);
    const bytes = stored.format === 'rnn-lab' ? stored.bytes : saveModel(loaded.model, { vocab: loaded.vocab, provenance: loaded.provenance });
    return { meta: modelDetails(stored), loaded, bytes };
  }

  /** An imported model's weights for a run of the given config, in Model.params layout. */
  initWeights(modelId: number, config: ModelConfig): ArrayBuffer {
    const { loaded } = this.modelFile(modelId);
    const m = loaded.model.config;
    if (m.cell !== config.cell || m.vocabSize !== config.vocabSize || m.hidden !== config.hidden || m.layers !== config.layers || m.embedding !== config.embedding) {
      throw new LabError('bad-state', `model ${modelId} (${m.cell}, hidden ${m.hidden}) does not fit this run's configuration (${config.cell}, hidden ${config.hidden})`);
    }
    return Float32Array.from(loaded.model.params).buffer;
  }

  /**
   * A run's model as a file: .safetensors with PyTorch names (the default), or ONNX for one-step
   * ('onnx-step': ids and states in, logits and states out) or whole-sequence inference.
   */
  exportModel(runId: number, which: CheckpointKind = 'best', format: ExportFormat = 'safetensors'): Uint8Array {
    const run = this.records.run(runId);
    const { step, state } = this.records.checkpoint(runId, which);
    const { experiment } = this.records.experiment(run.experimentId);
    const corpus = this.store.corpora.getMeta(experiment.corpusId)!;
    const { model, train } = modelFromState(state);
    const provenance = {
      app: 'rnn-lab',
      experiment: experiment.name,
      run: run.id,
      checkpoint: which,
      steps: step,
      seed: train.seed,
      train,
      corpus: { name: corpus.name, sha256: corpus.sha256, chars: corpus.chars, validFraction: corpus.validFraction },
    };
    if (format === 'safetensors') return saveModel(model, { vocab: corpus.vocab, provenance });
    return exportOnnx(model, { sequence: format === 'onnx-step' ? 'step' : 'whole', vocab: corpus.vocab, provenance });
  }
}

function decodeModel(bytes: Uint8Array, format: 'rnn-lab' | 'pytorch', vocab: string[] | null): LoadedModel {
  if (format === 'pytorch') return importTorchModel(bytes, vocab ?? []);
  try {
    return loadModel(bytes);
  } catch (e) {
    // the engine's hint names its function; the lab's callers pass a vocabulary instead
    if (e instanceof ModelFileError && e.message.startsWith('not an RNN Lab model file')) {
      throw new ModelFileError(e.message.replace(/; a file written by PyTorch.*$/, '; a PyTorch state_dict can be imported with its vocabulary (one character per token id)'), { cause: e });
    }
    throw e;
  }
}

function modelDetails(m: ModelMeta): ModelInfo {
  const config = m.config as ModelConfig;
  return { ...m, config, params: parameterCount(config) };
}
