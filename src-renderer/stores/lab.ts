/** Starting the lab: the client, live events into the stores, and what the first screen shows. */
import type { LabClient } from '../../src-main/api/contract.ts';
import { useCorporaStore } from './corpora.ts';
import { useExecutionStore } from './execution.ts';
import { useExperimentsStore } from './experiments.ts';
import { provideLabClient } from './lab-client.ts';
import { followAddress } from './routing.ts';
import { useRunsStore } from './runs.ts';

/**
 * Wires the client's events into the stores and opens the first screen: the one the address
 * names (a reload, a bookmark), else the newest experiment (the demo the first start creates, or
 * the user's latest), else Corpora, whose empty state says what to do first. Returns the function
 * that stops the events and the address following.
 */
export async function startLab(client: LabClient, win: Window = window): Promise<() => void> {
  provideLabClient(client);
  const runs = useRunsStore();
  const stopEvents = client.onEvent((e) => runs.handleEvent(e));
  await Promise.all([useCorporaStore().load(), useExperimentsStore().load(), useExecutionStore().refresh()]);
  const address = followAddress(win);
  await address.opened;
  return () => {
    stopEvents();
    address.stop();
  };
}
