// The Lab service with a real database file and the built workers: what only the whole chain shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../../src-main/lab/lab.ts';
import { loadModel } from '../../src-worker/engine/model-file.ts';

let dir: string;
let lab: Lab;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnn-lab-lab-'));
  lab = Lab.open({ db: join(dir, 'lab.db'), workers: 2 });
});

afterEach(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

const tiny = { budget: { mode: 'hidden' as const, hidden: 8 }, train: { steps: 40, seqLen: 8, batch: 4 }, cadence: { evalEvery: 20, sampleEvery: 0 } };

describe('Lab', () => {
  it('reports accuracy on the predictable and long-range positions of a task corpus, and none for a text', async () => {
    const task = lab.createTaskCorpus('recall', { lag: 5, length: 3000 }).corpus;
    const text = lab.importCorpus(new TextEncoder().encode('a plain text, nothing to recall. '.repeat(40)), { name: 'plain' }).corpus;
    const a = lab.createExperiment({ corpusId: task.id, spec: { cells: ['gru'], ...tiny } });
    const b = lab.createExperiment({ corpusId: text.id, spec: { cells: ['gru'], ...tiny } });
    lab.runExperiment(a.experiment.id);
    lab.runExperiment(b.experiment.id);
    await lab.whenIdle();
    const taskEvals = lab.store.evals.list(a.runs[0].id);
    expect(taskEvals.map((e) => e.step)).toEqual([20, 40]);
    for (const e of taskEvals) {
      expect(e.predictableAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.predictableAccuracy).toBeLessThanOrEqual(1);
      expect(e.longRangeAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.longRangeAccuracy).toBeLessThanOrEqual(1);
    }
    expect(lab.store.evals.list(b.runs[0].id).every((e) => e.predictableAccuracy === null && e.longRangeAccuracy === null)).toBe(true);
  });

  it('exports a finished run as a model file that loads with the corpus vocabulary', async () => {
    const corpus = lab.createTaskCorpus('dyck', { length: 3000 }).corpus;
    const { experiment, runs } = lab.createExperiment({ corpusId: corpus.id, spec: { cells: ['lstm'], ...tiny } });
    lab.runExperiment(experiment.id);
    await lab.whenIdle();
    const { model, vocab, provenance } = loadModel(lab.exportModel(runs[0].id, 'last'));
    expect(vocab).toEqual(corpus.vocab);
    expect(model.config.cell).toBe('lstm');
    expect(provenance).toMatchObject({ steps: 40, seed: 1, corpus: { sha256: corpus.sha256 } });
    // ONNX for one-step inference: a ModelProto (field 1, ir_version, comes first) with the LSTM operator
    const onnx = lab.exportModel(runs[0].id, 'last', 'onnx-step');
    expect(onnx[0]).toBe(0x08);
    expect(Buffer.from(onnx).includes(Buffer.from('LSTM'))).toBe(true);
  });

  it('runs a two-thread run alone in a two-worker lab, and refuses runs wider than the lab', async () => {
    const corpus = lab.importCorpus(new TextEncoder().encode('threads share the batch, not the cores. '.repeat(60)), { name: 'threads' }).corpus;
    const spec = { cells: ['gru', 'lstm'] as ('gru' | 'lstm')[], ...tiny, train: { ...tiny.train, threads: 2 } };
    const { experiment, runs } = lab.createExperiment({ corpusId: corpus.id, spec });
    let running = 0;
    let most = 0;
    const off = lab.on((e) => {
      if (e.type !== 'run') return;
      running = lab.store.runs.list(experiment.id).filter((r) => r.status === 'running').length;
      most = Math.max(most, running);
    });
    lab.runExperiment(experiment.id);
    await lab.whenIdle();
    off();
    expect(most).toBe(1);
    for (const r of runs) expect(lab.run(r.id)).toMatchObject({ status: 'completed', step: 40 });
    expect(() => lab.createExperiment({ corpusId: corpus.id, spec: { ...spec, train: { ...tiny.train, threads: 3 } } }))
      .toThrow(/train\.threads.*3 threads per run, but this lab trains on 2/);
  });

  it('starts the runs behind a waiting wide run as soon as it is cancelled or deleted', async () => {
    const corpus = lab.importCorpus(new TextEncoder().encode('first come, first served, unless it goes. '.repeat(60)), { name: 'queue' }).corpus;
    const experiment = (cells: ('gru' | 'rnn')[], threads: number, steps: number) =>
      lab.createExperiment({ corpusId: corpus.id, spec: { cells, ...tiny, train: { ...tiny.train, steps, threads } } });
    const long = experiment(['gru'], 1, 100_000);
    const wide = experiment(['gru'], 2, 40);
    const behind = experiment(['rnn'], 1, 40);
    const wider = experiment(['gru', 'rnn'], 2, 40);
    for (const e of [long, wide, behind]) lab.runExperiment(e.experiment.id);
    const status = (e: typeof long) => lab.run(e.runs[0].id).status;
    expect([status(long), status(wide), status(behind)]).toEqual(['running', 'waiting', 'waiting']);
    lab.cancelRun(wide.runs[0].id);
    expect(status(behind)).toBe('running');
    lab.runExperiment(wider.experiment.id);
    expect(status(wider)).toBe('waiting');
    lab.deleteExperiment(wider.experiment.id);
    lab.cancelRun(long.runs[0].id);
    await lab.whenIdle();
    expect([status(long), status(wide), status(behind)]).toEqual(['cancelled', 'cancelled', 'completed']);
  });

  it('refuses to queue a run wider than the lab, leaving it as it was', async () => {
    const corpus = lab.importCorpus(new TextEncoder().encode('two threads on one core will not do. '.repeat(60)), { name: 'wide' }).corpus;
    const { experiment, runs } = lab.createExperiment({ corpusId: corpus.id, spec: { cells: ['gru'], ...tiny, train: { ...tiny.train, threads: 2 } } });
    await lab.close();
    lab = Lab.open({ db: join(dir, 'lab.db'), workers: 1 });
    expect(() => lab.runExperiment(experiment.id)).toThrow(/run \d+ needs 2 threads but this lab trains on 1; open it with more workers \(--workers 2\)/);
    expect(() => lab.resumeRun(runs[0].id)).toThrow(/needs 2 threads/);
    expect(lab.run(runs[0].id).status).toBe('not-started');
  });

  it('on a fresh database, sets up the demo experiment once, not started', () => {
    const id = lab.ensureDemo();
    expect(id).not.toBeNull();
    const { runs, spec } = lab.experiment(id!);
    expect(runs.map((r) => [r.cell, r.status])).toEqual(['rnn', 'lstm', 'gru'].flatMap((c) => Array.from({ length: spec.seeds }, () => [c, 'not-started'])));
    expect(spec.cells).toEqual(['rnn', 'lstm', 'gru']);
    expect(lab.ensureDemo()).toBeNull();
  });
});
