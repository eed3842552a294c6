/** A LabClient whose every method is a vi.fn, plus emit() to push live events into the stores. */
import { vi, type Mock } from 'vitest';
import { METHOD_NAMES, type ApiEvent, type LabClient, type MethodName, type Run } from '../../src-main/api/contract.ts';

export type FakeClient = LabClient & { [M in MethodName]: Mock<LabClient[M]> } & { emit(e: ApiEvent): void };

export function fakeClient(overrides: Partial<{ [M in MethodName]: LabClient[M] }> = {}): FakeClient {
  const listeners = new Set<(e: ApiEvent) => void>();
  const client: Record<string, unknown> = {
    onEvent(l: (e: ApiEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e: ApiEvent) {
      for (const l of listeners) l(e);
    },
  };
  for (const m of METHOD_NAMES) {
    client[m] = vi.fn(overrides[m] ?? (async () => {
      throw new Error(`fake client: ${m} not set up`);
    }));
  }
  return client as FakeClient;
}

export function makeRun(over: Partial<Run> = {}): Run {
  return {
    id: 1, experimentId: 1, cell: 'lstm', seed: 1, config: {}, params: 1000, status: 'queued', error: null,
    step: 0, steps: 1000, bestValLoss: null, elapsed: 0, ownerPid: null, control: null, createdAt: 0, startedAt: null, finishedAt: null,
    ...over,
  };
}

export function metricRow(step: number, trainLoss = 2, wallSeconds = step / 10) {
  return { step, charsSeen: step * 100, wallSeconds, trainLoss, gradNorm: 1, clipped: false, lr: 0.002, charsPerSecond: 1000 };
}
