// Inside the cells through the lab: the model worker's diagnostics on a trained run's checkpoint,
// the passage rules, and the baselines of a corpus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { baselines } from '../../src-worker/engine/baselines.ts';
import { Lab } from '../../src-main/lab/lab.ts';
import { flowWindows, resolvePassage } from '../../src-main/lab/inside.ts';

let dir: string;
let lab: Lab;
let rnn: number;
let lstm: number;
let corpusId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-inside-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
  const corpus = lab.importCorpus(new TextEncoder().encode('"To be, or not to be" (that is the question).\nWhether tis nobler in the mind to suffer\n'.repeat(40)), { name: 'hamlet' }).corpus;
  corpusId = corpus.id;
  const { experiment, runs } = lab.createExperiment({
    corpusId,
    spec: { cells: ['rnn', 'lstm'], budget: { mode: 'hidden', hidden: 12 }, train: { steps: 30, seqLen: 16, batch: 4 }, cadence: { evalEvery: 30, sampleEvery: 0 } },
  });
  [rnn, lstm] = runs.map((r) => r.id);
  lab.runExperiment(experiment.id);
  await lab.whenIdle();
}, 60_000);

afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inside the cells, through the lab', () => {
  it('measures the gradient flow on the validation text over the run\'s window', async () => {
    const r = await lab.gradientFlow(lstm);
    expect(r).toMatchObject({ runId: lstm, cell: 'lstm', checkpoint: 'last', step: 30, window: 16, maxLag: 16 });
    expect(r.h).toHaveLength(1);
    expect(r.h[0]).toHaveLength(17);
    expect(r.c![0][0]).toBe(0); // c_T reaches L_T only through h_T
    for (const x of [...r.h[0], ...r.c![0].slice(1)]) expect(x).toBeGreaterThan(0);
    const plain = await lab.gradientFlow(rnn, { window: 8 });
    expect(plain).toMatchObject({ cell: 'rnn', window: 8, maxLag: 8, c: null });
    await expect(lab.gradientFlow(rnn, { window: 5000 })).rejects.toThrow(/window must be from 1 to 400/);
  });

  it('traces the gates over a passage, as float32 bytes, with correlated units and saturation', async () => {
    const r = await lab.inspectCells(lstm, { start: 3, length: 50 });
    expect(r.passage).toHaveLength(50);
    expect(r.gates.map((g) => g.name)).toEqual(['i', 'f', 'g', 'o']);
    const layer = r.layers[0];
    expect(layer.h.byteLength).toBe(50 * 12 * 4);
    expect(layer.c!.byteLength).toBe(50 * 12 * 4);
    expect(layer.gates).toHaveLength(4);
    const f = new Float32Array(layer.gates[1].slice().buffer);
    for (const x of f) expect(x > 0 && x < 1).toBe(true); // the forget gate is a sigmoid
    expect(Object.keys(r.correlated).sort()).toEqual(['inBrackets', 'inQuotes', 'linePosition', 'whitespace']);
    expect(r.saturation.map((e) => e.name)).toEqual(['i', 'f', 'g', 'o', 'h']);
    for (const e of r.saturation) expect(e.histogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(r.saturationChars).toBeGreaterThan(0);
    // the saturation does not depend on the passage: measured once per checkpoint
    // the pool the lab made for the inspection above
    const pool = (lab as unknown as { pool: { diagnose(task: { request: { kind: string } }): Promise<unknown> } }).pool;
    const diagnose = vi.spyOn(pool, 'diagnose');
    const other = await lab.inspectCells(lstm, { start: 60, length: 20 });
    expect(diagnose.mock.calls.map(([task]) => task.request.kind)).toEqual(['cells']);
    expect(other.saturation).toEqual(r.saturation);
    diagnose.mockRestore();
    const own = await lab.inspectCells(rnn, { text: 'To be, or not' });
    expect(own).toMatchObject({ passage: 'To be, or not', gates: [] });
    expect(own.layers[0].c).toBeNull();
  });

  it('gives each run\'s loss at every character, whose mean is the evaluation\'s loss', async () => {
    const text = 'Whether tis nobler in the mind';
    const r = await lab.characterLosses([rnn, lstm], { text, topK: 3 });
    expect(r.passage).toBe(text);
    expect(r.runs.map((x) => x.cell)).toEqual(['rnn', 'lstm']);
    for (const run of r.runs) {
      expect(run.nll).toHaveLength(text.length - 1);
      expect(run.guesses[0].chars).toHaveLength(3);
      expect(run.guesses[0].probs[0]).toBeGreaterThanOrEqual(run.guesses[0].probs[1]);
      const ev = await lab.evaluate(run.runId, text, 'last');
      expect(run.loss).toBeCloseTo(ev.loss, 6);
    }
  });

  it('refuses passages it cannot read, saying why', async () => {
    await expect(lab.characterLosses([lstm], { text: 'Zebra' })).rejects.toThrow(/character 1 of the text, "Z", is not in the corpus vocabulary/);
    await expect(lab.inspectCells(lstm, { start: 10_000_000 })).rejects.toThrow(/cannot start at 10000000/);
    await expect(lab.characterLosses([lstm], { length: 1 })).rejects.toThrow(/2 to 5000 characters/);
    await expect(lab.characterLosses([], {})).rejects.toThrow(/at least one run/);
  });

  it('computes a corpus\'s baselines once, as the engine does on its split', async () => {
    const a = await lab.baselines(corpusId);
    expect(a.uniform).toBeCloseTo(Math.log(a.vocabSize), 12);
    expect(a.ngram.map((n) => n.order)).toEqual([1, 2, 3, 4, 5]);
    expect(a.ngram[0].loss).toBeCloseTo(a.unigram, 12);
    // the text repeats, so longer contexts predict it better
    expect(a.ngram[4].loss).toBeLessThan(a.ngram[1].loss);
    expect(await lab.baselines(corpusId)).toBe(a);
    await expect(lab.baselines(999)).rejects.toThrow(/no corpus 999/);
  });
});

describe('passages and windows', () => {
  const vocab = ['a', 'b', '\n'];
  const valid = Uint16Array.from([0, 1, 2, 0, 1, 2, 0]);

  it('slices the validation text, or encodes the user\'s text by code points', () => {
    expect(resolvePassage({ start: 1, length: 3 }, vocab, valid)).toEqual({ text: 'b\na', ids: Uint16Array.from([1, 2, 0]) });
    expect(resolvePassage({ start: 5, length: 100 }, vocab, valid).text).toBe('\na');
    expect(resolvePassage({ text: 'ab' }, vocab, valid).ids).toEqual(Uint16Array.from([0, 1]));
    expect(() => resolvePassage({ text: 'a' }, vocab, valid)).toThrow(/at least 2 characters/);
    expect(() => resolvePassage({ start: 6 }, vocab, valid)).toThrow(/cannot start at 6/);
  });

  it('fits windows and streams to the validation text', () => {
    expect(flowWindows(10_001, 100)).toEqual({ window: 100, streams: 8, windows: 4, warmup: 100 });
    expect(flowWindows(401, 100)).toEqual({ window: 100, streams: 2, windows: 1, warmup: 100 });
    expect(() => flowWindows(150, 100)).toThrow(/has 150 characters; a 100-step window after a 100-step warm-up needs 201/);
  });
});

it('matches the engine baselines on the same split', async () => {
  // checked against the engine directly, so the lab's split and ids are the ones the runs see
  const ids = (lab as unknown as { corpora: { ids(id: number): { train: Uint16Array; valid: Uint16Array; vocab: string[] } } }).corpora.ids(corpusId);
  const direct = baselines(ids.train, ids.valid, ids.vocab.length);
  const viaLab = await lab.baselines(corpusId);
  expect(viaLab.ngram).toEqual(direct.ngram);
  expect(viaLab.trainEntropy).toBe(direct.unigram.trainEntropy);
});
