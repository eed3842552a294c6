// Imported models: stored with the Lab, refused when hostile, generated from, and trained further.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/methods.ts';
import { encodeShared, splitCorpus } from '../../src-main/lab/corpora.ts';
import { Lab, vocabDifference, type RunConfig } from '../../src-main/lab/lab.ts';
import { ConfigError } from '../../src-worker/engine/config.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { loadModel, ModelFileError } from '../../src-worker/engine/model-file.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';

let dir: string;
let lab: Lab;
let corpusId: number;
let vocab: string[];
let runId: number;
/** our file of the finished run's last checkpoint */
let ours: Uint8Array;

const TEXT = 'the cat sat on the mat, the dog sat on the log. '.repeat(30);
const tiny = { budget: { mode: 'hidden' as const, hidden: 8 }, train: { steps: 30, seqLen: 8, batch: 4 }, cadence: { evalEvery: 10, sampleEvery: 0 } };

/** The run's weights as PyTorch saves a state_dict: torch.nn names, no metadata. */
function torchFile(bytes: Uint8Array, change?: (name: string, shape: number[]) => number[], metadata: Record<string, string> = {}): Uint8Array {
  const file = readSafetensors(bytes);
  return writeSafetensors([...file.tensors].map(([name, t]) => {
    const shape = change ? change(name, t.shape) : t.shape;
    const data = Float32Array.from(t.data);
    return { name, shape, data: shape.reduce((a, b) => a * b, 1) === data.length ? data : new Float32Array(shape.reduce((a, b) => a * b, 1)) };
  }), metadata);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-models-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
  const corpus = lab.importCorpus(new TextEncoder().encode(TEXT), { name: 'cats' }).corpus;
  corpusId = corpus.id;
  vocab = corpus.vocab;
  const { experiment, runs } = lab.createExperiment({ corpusId, spec: { cells: ['lstm'], ...tiny } });
  lab.runExperiment(experiment.id);
  await lab.whenIdle();
  runId = runs[0].id;
  expect(lab.run(runId).status).toBe('completed');
  ours = lab.exportModel(runId, 'last');
});

afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('imported models', () => {
  it('stores our own file and a PyTorch state_dict with a vocabulary, once each', () => {
    const a = lab.importModel(ours, { name: 'cats lstm' });
    expect(a.existing).toBe(false);
    expect(a.model).toMatchObject({ name: 'cats lstm', format: 'rnn-lab', vocab, config: { cell: 'lstm', hidden: 8, layers: 1, vocabSize: vocab.length } });
    expect(a.model.provenance).toMatchObject({ run: runId, steps: 30 });
    expect(a.model.size).toBe(ours.length);
    expect(lab.importModel(ours, { name: 'again' })).toEqual({ model: a.model, existing: true });

    const torch = torchFile(ours);
    const b = lab.importModel(torch, { name: 'from torch', vocab });
    expect(b.existing).toBe(false);
    expect(b.model).toMatchObject({ format: 'pytorch', vocab, config: a.model.config, params: a.model.params });
    expect(lab.importModel(torch, { name: 'x', vocab }).existing).toBe(true);
    expect(() => lab.importModel(torch, { name: 'x', vocab: [...vocab].reverse() })).toThrow(/already imported as model \d+ "from torch" with another vocabulary/);
    // the file is stored as given
    expect(Buffer.from(lab.store.models.get(b.model.id)!.bytes).equals(Buffer.from(torch))).toBe(true);
    expect(lab.listModels().map((m) => m.name)).toEqual(['cats lstm', 'from torch']);
  });

  it('refuses hostile files with the reason, storing nothing', () => {
    const before = lab.listModels().length;
    const refused = (bytes: Uint8Array, message: RegExp, v?: string[]): void => {
      let error: unknown;
      try {
        lab.importModel(bytes, { name: 'bad', vocab: v });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelFileError);
      expect((error as Error).message).toMatch(message);
    };
    refused(ours.subarray(0, ours.length - 7), /tensor "decoder\.bias": data_offsets \[\d+, \d+\] run past the end of the data section/);
    const badJson = Uint8Array.from(ours);
    badJson[8] = '}'.charCodeAt(0);
    refused(badJson, /header is not valid JSON/);
    const wrongShape = torchFile(ours, (name, shape) => (name === 'rnn.bias_ih_l0' ? [shape[0] + 1] : shape));
    refused(wrongShape, /tensor "rnn\.bias_ih_l0" has shape \[33\], expected \[32\] for a lstm/, vocab);
    refused(torchFile(ours), /not an RNN Lab model file \(no "format" in __metadata__.*\); a PyTorch state_dict can be imported with its vocabulary/);
    refused(torchFile(ours), /vocab has 3 entries/, vocab.slice(0, 3));
    expect(lab.listModels()).toHaveLength(before);
  });

  it('generates from an imported model as from the run it came from', async () => {
    const a = lab.importModel(ours, { name: 'cats lstm' }).model;
    const b = lab.importModel(torchFile(ours), { name: 'from torch', vocab }).model;
    const opts = { prime: 'the ', length: 60, temperature: 0.7, seed: 5 };
    const fromRun = await lab.generate(runId, { ...opts, checkpoint: 'last' });
    const streamed: string[] = [];
    expect(await lab.generateFromModel(a.id, opts, (t) => streamed.push(t))).toBe(fromRun);
    expect(streamed.join('')).toBe(fromRun);
    expect(await lab.generateFromModel(b.id, opts)).toBe(fromRun);
    await expect(lab.generateFromModel(a.id, { ...opts, prime: 'Z' })).rejects.toThrow(/the prime has "Z"/);
    // and scores a text as the run does
    const text = TEXT.slice(0, 300);
    const ev = await lab.evaluate(runId, text, 'last');
    expect((await lab.evaluateModel(b.id, text)).loss).toBe(ev.loss);
    // over the API: exactly one of runId and modelId
    const req = { prime: 'the ', length: 20, temperature: 0, topK: 0, seed: 1, requestId: 'r' };
    expect(await dispatch(lab, 'generate', { ...req, modelId: a.id }, { emit: () => {} })).toEqual({ ok: true, value: { text: await lab.generate(runId, { ...req, checkpoint: 'last' }) } });
    expect(await dispatch(lab, 'generate', { ...req, modelId: a.id, runId }, { emit: () => {} })).toMatchObject({ ok: false, code: 'bad-request', message: expect.stringMatching(/exactly one of runId/) });
    expect(await dispatch(lab, 'generate', req, { emit: () => {} })).toMatchObject({ ok: false, code: 'bad-request' });
  });

  it('continues training from the imported weights: the first step is the one the model gives', async () => {
    const m = lab.importModel(torchFile(ours), { name: 'from torch', vocab }).model;
    // the budget is overridden by the model's size
    const { experiment, runs } = lab.createExperiment({
      corpusId,
      spec: { cells: ['lstm'], budget: { mode: 'hidden', hidden: 99 }, train: { steps: 5, seqLen: 8, batch: 4 }, cadence: { evalEvery: 5, sampleEvery: 0 }, initFrom: { modelId: m.id } },
    });
    const config = runs[0].config as RunConfig;
    expect(config.model).toMatchObject({ cell: 'lstm', hidden: 8, layers: 1, embedding: m.config.embedding });
    expect(lab.experiment(experiment.id).spec.initFrom).toEqual({ modelId: m.id });
    lab.runExperiment(experiment.id);
    await lab.whenIdle();
    expect(lab.run(runs[0].id).status).toBe('completed');
    const first = lab.store.metrics.list(runs[0].id)[0];
    expect(first.step).toBe(1);

    // the same first window, in this process: from the model's weights, and from a fresh start
    const c = lab.store.corpora.get(corpusId)!;
    const data = encodeShared(splitCorpus(c.text, c.validFraction).train, c.vocab);
    const fromModel = new Trainer({ model: config.model, train: config.train, data, kernels: createKernels() });
    fromModel.model.params.set(loadModel(ours).model.params);
    expect(fromModel.trainStep().loss).toBe(first.trainLoss);
    const fresh = new Trainer({ model: config.model, train: config.train, data, kernels: createKernels() });
    expect(fresh.trainStep().loss).not.toBe(first.trainLoss);
    // and it starts well below a fresh model's loss
    expect(first.trainLoss).toBeLessThan(fresh.trainStep().loss);
    // the model it started from cannot be deleted while the experiment is there
    expect(() => lab.deleteModel(m.id)).toThrow(/experiment \d+/);
  });

  it('refuses a corpus with another vocabulary, and another cell, naming the difference', () => {
    const m = lab.importModel(ours, { name: 'cats lstm' }).model;
    const other = lab.importCorpus(new TextEncoder().encode('the zebra sat on the mat. '.repeat(60)), { name: 'zebras' }).corpus;
    const create = (spec: object) => () => lab.createExperiment({ corpusId: other.id, spec: { cells: ['lstm'], ...tiny, ...spec } });
    expect(create({ initFrom: { modelId: m.id } })).toThrow(ConfigError);
    expect(create({ initFrom: { modelId: m.id } })).toThrow(/model \d+ "cats lstm" cannot continue training on corpus "zebras": the vocabularies differ \(the corpus has .*"z".*, which the model does not; the model has .*"c".*, which the corpus does not\)/);
    // the same characters in another order
    const reordered = lab.importModel(torchFile(ours, undefined, { cell: 'lstm' }), { name: 'reordered', vocab: [...vocab].reverse() }).model;
    expect(() => lab.createExperiment({ corpusId, spec: { cells: ['lstm'], ...tiny, initFrom: { modelId: reordered.id } } })).toThrow(/the same characters in another order: id 0 is/);
    expect(() => lab.createExperiment({ corpusId, spec: { cells: ['gru'], ...tiny, initFrom: { modelId: m.id } } })).toThrow(/must use its cell, lstm; got gru/);
    expect(() => lab.createExperiment({ corpusId, spec: { cells: ['lstm'], ...tiny, initFrom: { modelId: 999 } } })).toThrow(/no model 999/);
    expect(() => lab.createExperiment({ corpusId, spec: { cells: ['lstm'], ...tiny, initFrom: { modelId: 0 } } })).toThrow(/initFrom\.modelId/);
    expect(vocabDifference(['a', 'b'], ['a', 'b'])).toBeNull();
  });
});
