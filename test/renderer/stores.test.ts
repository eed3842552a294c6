// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LabApiError } from '../../src-renderer/api/client.ts';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { refusedField } from '../../src-renderer/stores/errors.ts';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { startLab } from '../../src-renderer/stores/lab.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, makeRun, metricRow, planMemory } from './fake-client.ts';

beforeEach(() => {
  setActivePinia(createPinia());
  // startLab opens what the address names: each test starts from a page without a hash
  history.replaceState(null, '', '/');
});

describe('runs store: live events', () => {
  it('appends metric rows from events to the run series and updates the run', async () => {
    const client = fakeClient({ listCorpora: async () => [], listTasks: async () => [], listExperiments: async () => [] });
    await startLab(client);
    const runs = useRunsStore();
    runs.upsertRun(makeRun({ id: 7, status: 'running' }));
    const before = runs.revision;
    client.emit({ type: 'metrics', runId: 7, rows: [metricRow(1, 3), metricRow(2, 2.5)] });
    client.emit({ type: 'metrics', runId: 7, rows: [metricRow(3, 2.2)] });
    const s = runs.seriesOf(7);
    expect(s.step).toEqual([1, 2, 3]);
    expect(s.trainLoss).toEqual([3, 2.5, 2.2]);
    expect(s.charsSeen).toEqual([100, 200, 300]);
    expect(runs.runs[7].step).toBe(3);
    expect(runs.latest[7].trainLoss).toBe(2.2);
    expect(runs.revision).toBeGreaterThan(before);
  });

  it('replaces the rows a resumed run records again from its checkpoint', () => {
    const runs = useRunsStore();
    runs.handleEvent({ type: 'metrics', runId: 1, rows: [1, 2, 3, 4, 5].map((s) => metricRow(s, 5 - s)) });
    runs.handleEvent({ type: 'metrics', runId: 1, rows: [metricRow(4, 9), metricRow(5, 8)] });
    expect(runs.seriesOf(1).step).toEqual([1, 2, 3, 4, 5]);
    expect(runs.seriesOf(1).trainLoss).toEqual([4, 3, 2, 9, 8]);
  });

  it('keeps the best validation loss, samples and run status from events', () => {
    const runs = useRunsStore();
    runs.upsertRun(makeRun({ id: 2, status: 'running' }));
    runs.handleEvent({ type: 'eval', runId: 2, step: 100, valLoss: 2, bitsPerChar: 2.88, accuracy: 0.3, predictableAccuracy: null, longRangeAccuracy: null });
    runs.handleEvent({ type: 'eval', runId: 2, step: 200, valLoss: 2.1, bitsPerChar: 3, accuracy: 0.3, predictableAccuracy: null, longRangeAccuracy: null });
    expect(runs.runs[2].bestValLoss).toBe(2);
    expect(runs.seriesOf(2).valLoss).toEqual([2, 2.1]);
    runs.handleEvent({ type: 'sample', runId: 2, step: 200, prime: '', temperature: 0.8, text: 'hello' });
    expect(runs.samples[2].at(-1)?.text).toBe('hello');
    runs.handleEvent({ type: 'run', run: makeRun({ id: 2, status: 'completed', step: 1000 }) });
    expect(runs.runs[2].status).toBe('completed');
  });

  it('merges stored history with live rows that arrived first', async () => {
    const client = fakeClient({
      getRunData: async () => ({ run: makeRun({ id: 3, step: 3 }), metrics: [metricRow(1), metricRow(2), metricRow(3)], evals: [], samples: [] }),
    });
    provideLabClient(client);
    const runs = useRunsStore();
    runs.handleEvent({ type: 'metrics', runId: 3, rows: [metricRow(3), metricRow(4)] });
    await runs.loadRun(3);
    expect(runs.seriesOf(3).step).toEqual([1, 2, 3, 4]);
  });

  it('streams generated text by request id, then keeps the whole text', async () => {
    let finish: (v: { text: string }) => void = () => {};
    const client = fakeClient({ generate: () => new Promise((resolve) => { finish = resolve; }) });
    provideLabClient(client);
    const runs = useRunsStore();
    const id = runs.generate(5, { prime: 'a', length: 4, temperature: 1, topK: 0, seed: 1, checkpoint: 'best' });
    expect(client.generate).toHaveBeenCalledWith(expect.objectContaining({ runId: 5, requestId: id, prime: 'a' }));
    runs.handleEvent({ type: 'generate', requestId: id, text: 'bc' });
    runs.handleEvent({ type: 'generate', requestId: 'someone-else', text: 'zz' });
    runs.handleEvent({ type: 'generate', requestId: id, text: 'd' });
    expect(runs.generations[id].text).toBe('bcd');
    finish({ text: 'bcde' });
    await vi.waitFor(() => expect(runs.generations[id].done).toBe(true));
    expect(runs.generations[id].text).toBe('bcde');
  });
});

describe('stores: errors become messages', () => {
  it('a refused run action shows the lab message as an error toast', async () => {
    provideLabClient(fakeClient({ pauseRun: async () => { throw new LabApiError('bad-state', 'run 4 is completed, not running'); } }));
    const run = await useRunsStore().runAction(4, 'pause');
    expect(run).toBeNull();
    const ui = useUiStore();
    expect(ui.toasts).toHaveLength(1);
    expect(ui.toasts[0].kind).toBe('error');
    expect(ui.toasts[0].text).toContain('run 4 is completed, not running');
  });

  it('run actions call the matching client method and store the returned run', async () => {
    const client = fakeClient({
      pauseRun: async ({ id }) => makeRun({ id, status: 'paused' }),
      resumeRun: async ({ id }) => makeRun({ id, status: 'waiting', queue: { position: 1, threads: 1 } }),
      cancelRun: async ({ id }) => makeRun({ id, status: 'cancelled' }),
      duplicateRun: async () => makeRun({ id: 99, status: 'not-started', copy: 1 }),
    });
    provideLabClient(client);
    const runs = useRunsStore();
    await runs.runAction(4, 'pause');
    expect(client.pauseRun).toHaveBeenCalledWith({ id: 4 });
    expect(runs.runs[4].status).toBe('paused');
    await runs.runAction(4, 'cancel');
    expect(client.cancelRun).toHaveBeenCalledWith({ id: 4 });
    await runs.runAction(4, 'duplicate');
    expect(runs.runs[99].status).toBe('not-started');
  });

  it('a rejected corpus file keeps the lab message where the file was dropped', async () => {
    provideLabClient(fakeClient({ importCorpus: async () => { throw new LabApiError('invalid-corpus', 'the file is not UTF-8 text (byte 0xff at offset 3)'); } }));
    const corpora = useCorporaStore();
    const file = new File([new Uint8Array([1, 2, 3, 0xff])], 'photo.txt');
    const result = await corpora.importFile(file, async () => new Uint8Array([1, 2, 3, 0xff]));
    expect(result).toBeNull();
    expect(corpora.importError).toBe('photo.txt was not imported: the file is not UTF-8 text (byte 0xff at offset 3)');
    expect(corpora.progress).toBeNull();
  });

  it('an imported file is sent as bytes with its name and selected', async () => {
    const stats = { chars: 3, vocabSize: 3, topChars: [], preview: 'abc', lines: 1, trainChars: 3, validChars: 0, unigramEntropy: 1 };
    const client = fakeClient({
      importCorpus: async (req) => ({ corpus: { id: 5, name: req.name, kind: 'file', task: null, sha256: 'x', chars: 3, vocab: ['a', 'b', 'c'], validFraction: 0.1, source: req.source ?? null, createdAt: 0, stats }, existing: false }),
    });
    provideLabClient(client);
    const corpora = useCorporaStore();
    await corpora.importFile(new File(['abc'], 'tiny.txt'), async () => new TextEncoder().encode('abc'));
    const req = client.importCorpus.mock.calls[0][0];
    expect(req.name).toBe('tiny');
    expect(req.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(req.bytes)).toEqual([97, 98, 99]);
    expect(corpora.corpora.map((c) => c.id)).toEqual([5]);
    expect(useUiStore().selectedCorpusId).toBe(5);
  });

  it('an invalid-config plan names the field; a good plan clears it', async () => {
    let fail = true;
    provideLabClient(fakeClient({
      planExperiment: async () => {
        if (fail) throw new LabApiError('invalid-config', 'optimizer.lr: must be a finite number in (0, 10], got 0');
        return { runs: [{ cell: 'lstm', seed: 1, hidden: 64, params: 20000, memory: planMemory(1e6) }], estimateSeconds: 30 };
      },
    }));
    const experiments = useExperimentsStore();
    await experiments.planFor(1, { cells: ['lstm'] });
    expect(experiments.fieldError).toEqual({ field: 'optimizer.lr', message: 'must be a finite number in (0, 10], got 0' });
    expect(experiments.plan).toBeNull();
    fail = false;
    await experiments.planFor(1, { cells: ['lstm'] });
    expect(experiments.fieldError).toBeNull();
    expect(experiments.plan?.runs[0].params).toBe(20000);
  });

  it('reads the field of invalid-config errors and of refused spec requests only', () => {
    expect(refusedField(new LabApiError('invalid-config', 'cadence.evalEvery: must be a whole number >= 1, got 0'))?.field).toBe('cadence.evalEvery');
    expect(refusedField(new LabApiError('bad-request', 'spec.budget.hidden: must be a whole number from 1 to 8192, got 0'))).toEqual({ field: 'spec.budget.hidden', message: 'must be a whole number from 1 to 8192, got 0' });
    expect(refusedField(new LabApiError('bad-request', 'id: must be a whole number from 1 to 9007199254740991, got 0'))).toBeNull();
    expect(refusedField(new LabApiError('not-found', 'hidden: nope'))).toBeNull();
    expect(refusedField(new Error('hidden: x'))).toBeNull();
  });
});

describe('first start', () => {
  it('opens the newest experiment (the demo) on the Experiment screen', async () => {
    const client = fakeClient({
      listCorpora: async () => [],
      listTasks: async () => [],
      listExperiments: async () => [
        { id: 1, name: 'old', corpusId: 1, spec: {}, createdAt: 1, corpusName: 'c', runs: 0, runCounts: {} as never },
        { id: 2, name: 'demo', corpusId: 1, spec: {}, createdAt: 5, corpusName: 'c', runs: 1, runCounts: {} as never },
      ],
      getExperiment: async ({ id }) => ({ experiment: { id, name: 'demo', corpusId: 1, spec: {}, createdAt: 5 }, spec: { cells: ['lstm'] } as never, runs: [makeRun({ id: 10, experimentId: id })] }),
      getRunData: async ({ id }) => ({ run: makeRun({ id, experimentId: 2 }), metrics: [], evals: [], samples: [] }),
    });
    await startLab(client);
    expect(useUiStore().screen).toBe('experiment');
    expect(useExperimentsStore().current?.experiment.id).toBe(2);
    expect(useRunsStore().runsOfExperiment(2).map((r) => r.id)).toEqual([10]);
  });

  it('an empty lab opens Corpora', async () => {
    await startLab(fakeClient({ listCorpora: async () => [], listTasks: async () => [], listExperiments: async () => [] }));
    expect(useUiStore().screen).toBe('corpora');
  });
});
