/**
 * The corpora the compared runs trained on. A loss in nats per character belongs to its text (its
 * alphabet, its predictability): runs on different corpora share axes, but not a verdict.
 */
import type { ExperimentSummary, Run } from '../../src-main/api/contract.ts';

export interface CorpusRuns {
  /** null: the run's experiment is not in the list (yet) */
  corpusId: number | null;
  name: string;
  runIds: number[];
}

/** The runs by corpus, in the order each corpus first appears among them. */
export function runsByCorpus(runs: readonly Run[], experiments: readonly ExperimentSummary[]): CorpusRuns[] {
  const groups = new Map<number | null, CorpusRuns>();
  for (const r of runs) {
    const x = experiments.find((e) => e.id === r.experimentId);
    const id = x?.corpusId ?? null;
    let g = groups.get(id);
    if (!g) {
      g = { corpusId: id, name: x?.corpusName ?? 'a corpus not listed yet', runIds: [] };
      groups.set(id, g);
    }
    g.runIds.push(r.id);
  }
  return [...groups.values()];
}
