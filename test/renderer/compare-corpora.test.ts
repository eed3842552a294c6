/** The corpora of the compared runs: more than one, and the Compare screen gives no verdict between them. */
import { describe, expect, it } from 'vitest';
import type { ExperimentSummary } from '../../src-main/api/contract.ts';
import { runsByCorpus } from '../../src-renderer/composables/compare-corpora.ts';
import { makeRun } from './fake-client.ts';

const experiment = (id: number, corpusId: number, corpusName: string): ExperimentSummary =>
  ({ id, name: `exp ${id}`, corpusId, corpusName, spec: {}, createdAt: id, runs: 0, runCounts: {} as ExperimentSummary['runCounts'] });

describe('the corpora of compared runs', () => {
  const experiments = [experiment(1, 7, 'sentences'), experiment(2, 8, 'recall'), experiment(3, 7, 'sentences')];

  it('groups the runs by their experiment\'s corpus, in the order the corpora first appear', () => {
    const runs = [makeRun({ id: 10, experimentId: 2 }), makeRun({ id: 11, experimentId: 1 }), makeRun({ id: 12, experimentId: 3 }), makeRun({ id: 13, experimentId: 2 })];
    expect(runsByCorpus(runs, experiments)).toEqual([
      { corpusId: 8, name: 'recall', runIds: [10, 13] },
      { corpusId: 7, name: 'sentences', runIds: [11, 12] },
    ]);
  });

  it('is one corpus for runs of two experiments on the same text', () => {
    expect(runsByCorpus([makeRun({ id: 11, experimentId: 1 }), makeRun({ id: 12, experimentId: 3 })], experiments)).toHaveLength(1);
  });

  it('keeps a run whose experiment is not listed yet apart, as a corpus of its own', () => {
    expect(runsByCorpus([makeRun({ id: 11, experimentId: 1 }), makeRun({ id: 20, experimentId: 9 })], experiments)).toEqual([
      { corpusId: 7, name: 'sentences', runIds: [11] },
      { corpusId: null, name: 'a corpus not listed yet', runIds: [20] },
    ]);
  });
});
