/** Starting the lab: the client, live events into the stores, and what the first screen shows. */
import type { LabClient } from '../../src-main/api/contract.ts';
import { useCorporaStore } from './corpora.ts';
import { useExperimentsStore } from './experiments.ts';
import { provideLabClient } from './lab-client.ts';
import { useRunsStore } from './runs.ts';
import { useUiStore } from './ui.ts';

/** Wires the client's events into the stores and opens the first screen. Returns the unsubscribe. */
export async function startLab(client: LabClient): Promise<() => void> {
  provideLabClient(client);
  const runs = useRunsStore();
  const experiments = useExperimentsStore();
  const corpora = useCorporaStore();
  const ui = useUiStore();
  const stop = client.onEvent((e) => runs.handleEvent(e));
  await Promise.all([corpora.load(), experiments.load()]);
  // A lab with an experiment (the demo the first start creates, or the user's latest) opens it;
  // an empty lab opens Corpora, whose empty state says what to do first.
  const newest = [...experiments.experiments].sort((a, b) => b.createdAt - a.createdAt)[0];
  if (newest) {
    ui.show('experiment');
    await experiments.open(newest.id);
  } else {
    ui.show('corpora');
  }
  return stop;
}
