/**
 * The "Inside the cells" screen: which experiment and runs it looks at, and what the lab measured
 * inside them (gradient flow, gate traces, per-character losses, baselines). Each kind of answer
 * keeps its own loading flag and error (the API's message, shown beside what it is about); an answer
 * that arrives after a newer request of the same kind is dropped.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CellInspection, CheckpointKind, CharacterLossReport, ExperimentDetails, GradientFlowReport, PassageRequest } from '../../src-main/api/contract.ts';
import { hasGates, trainedRuns } from '../composables/inside-runs.ts';
import { bestPerCell } from '../composables/run-picks.ts';
import type { GradHistory } from '../composables/lag-data.ts';
import { DEFAULT_PASSAGE, type PassageChoice } from '../composables/passage.ts';
import { useBaselinesStore } from './baselines.ts';
import { errorMessage } from './errors.ts';
import { labClient } from './lab-client.ts';
import { useRunsStore } from './runs.ts';
import { useUiStore } from './ui.ts';

export type InsideSection = 'flow' | 'gates' | 'losses';
/** a gradient-flow measurement: a run's checkpoint over a window (null: the run's own seqLen) */
const flowKey = (runId: number, checkpoint: CheckpointKind, window: number | null): string => `${runId}:${checkpoint}:${window ?? 'seqLen'}`;

export const useInsideStore = defineStore('inside', () => {
  const experimentId = ref<number | null>(null);
  const details = shallowRef<ExperimentDetails | null>(null);
  const detailsError = ref<string | null>(null);
  const section = ref<InsideSection>('flow');
  const checkpoint = ref<CheckpointKind>('best');
  /** the runs each section looks at */
  const flowRunIds = ref<number[]>([]);
  const gateRunId = ref<number | null>(null);
  const lossRunIds = ref<number[]>([]);
  /** the passage the gate and loss views read (one for both, so they can be read side by side) */
  const passage = ref<PassageChoice>({ ...DEFAULT_PASSAGE });

  /** gradient flow by "runId:checkpoint"; reports are kept until measured again */
  /** steps back the gradient flow is measured over; null: each run's own sequence length */
  const flowWindow = ref<number | null>(null);
  const flows = shallowRef<Record<string, GradientFlowReport>>({});
  const flowErrors = ref<Record<string, string>>({});
  const flowLoading = ref<Record<string, boolean>>({});
  /** gradient-norm history by run */
  const histories = shallowRef<Record<number, GradHistory>>({});
  const historyErrors = ref<Record<number, string>>({});

  const inspection = shallowRef<CellInspection | null>(null);
  const inspecting = ref(false);
  const inspectError = ref<string | null>(null);
  let inspectSeq = 0;

  const losses = shallowRef<CharacterLossReport | null>(null);
  const lossLoading = ref(false);
  const lossError = ref<string | null>(null);
  let lossSeq = 0;

  let detailsSeq = 0;

  const corpusId = computed(() => details.value?.experiment.corpusId ?? null);

  /** Opens an experiment on this screen: its runs (into the runs store) and its corpus. */
  async function open(id: number): Promise<void> {
    if (experimentId.value !== id) {
      experimentId.value = id;
      details.value = null;
      inspection.value = null;
      losses.value = null;
      inspectError.value = null;
      lossError.value = null;
    }
    const seq = ++detailsSeq;
    detailsError.value = null;
    try {
      const d = await labClient().getExperiment({ id });
      if (seq !== detailsSeq) return;
      details.value = d;
      const runs = useRunsStore();
      for (const r of d.runs) runs.upsertRun(r);
      chooseDefaults(d);
      void useBaselinesStore().load(d.experiment.corpusId);
    } catch (e) {
      if (seq === detailsSeq) detailsError.value = errorMessage(e);
    }
  }

  /** what chooseDefaults filled in last: a choice still equal to it was not the user's */
  let filled: { flow: string; gate: number | null; losses: string } | null = null;

  /**
   * Keeps the choices the user made that still name trained runs of the experiment; fills the
   * others with each cell's best run (a cancelled run's early checkpoint says little about its
   * cell). A default is chosen again each time, so it moves to a run that has completed since.
   */
  function chooseDefaults(d: ExperimentDetails): void {
    const trained = trainedRuns(d.runs);
    const best = bestPerCell(trained);
    const ids = new Set(trained.map((r) => r.id));
    const own = (now: number[], then: string | undefined): number[] => (now.join() === then ? [] : now.filter((id) => ids.has(id)));
    const flow = own(flowRunIds.value, filled?.flow);
    flowRunIds.value = flow.length ? flow : best.map((r) => r.id);
    const gate = gateRunId.value !== null && gateRunId.value !== filled?.gate && ids.has(gateRunId.value) ? gateRunId.value : null;
    gateRunId.value = gate ?? (best.find((r) => hasGates(r.cell)) ?? best[0])?.id ?? null;
    const losses = own(lossRunIds.value, filled?.losses);
    lossRunIds.value = losses.length ? losses : best.map((r) => r.id);
    filled = { flow: flowRunIds.value.join(), gate: gateRunId.value, losses: lossRunIds.value.join() };
  }

  /** The Experiment screen's "Look inside": this screen, on that experiment. */
  async function lookInside(id: number): Promise<void> {
    useUiStore().show('inside');
    await open(id);
  }

  function flowOf(runId: number, cp: CheckpointKind = checkpoint.value): GradientFlowReport | undefined {
    return flows.value[flowKey(runId, cp, flowWindow.value)];
  }

  /** Measures the gradient flow of the runs that have no report for the checkpoint yet (all of them when `again`). */
  async function measureFlow(runIds: readonly number[], opts: { again?: boolean } = {}): Promise<void> {
    const cp = checkpoint.value;
    const window = flowWindow.value;
    const todo = runIds.filter((id) => {
      const key = flowKey(id, cp, window);
      return !flowLoading.value[key] && (opts.again || (!flows.value[key] && !flowErrors.value[key]));
    });
    await Promise.all(todo.map(async (runId) => {
      const key = flowKey(runId, cp, window);
      flowLoading.value[key] = true;
      delete flowErrors.value[key];
      try {
        const report = await labClient().gradientFlow({ runId, checkpoint: cp, ...(window === null ? {} : { window }) });
        flows.value = { ...flows.value, [key]: report };
      } catch (e) {
        flowErrors.value[key] = errorMessage(e);
      } finally {
        delete flowLoading.value[key];
      }
    }));
  }

  /** The logged gradient norms of runs, with the clipped flag the runs store does not keep. */
  async function loadHistories(runIds: readonly number[], opts: { again?: boolean } = {}): Promise<void> {
    await Promise.all(runIds.filter((id) => opts.again || !histories.value[id]).map(async (id) => {
      try {
        const data = await labClient().getRunData({ id });
        const h: GradHistory = { step: data.metrics.map((m) => m.step), gradNorm: data.metrics.map((m) => m.gradNorm), clipped: data.metrics.map((m) => m.clipped) };
        histories.value = { ...histories.value, [id]: h };
        delete historyErrors.value[id];
      } catch (e) {
        historyErrors.value[id] = errorMessage(e);
      }
    }));
  }

  async function inspect(runId: number, passage: PassageRequest): Promise<void> {
    const seq = ++inspectSeq;
    inspecting.value = true;
    inspectError.value = null;
    try {
      const result = await labClient().inspectCells({ runId, checkpoint: checkpoint.value, ...passage });
      if (seq === inspectSeq) inspection.value = result;
    } catch (e) {
      if (seq === inspectSeq) inspectError.value = errorMessage(e);
    } finally {
      if (seq === inspectSeq) inspecting.value = false;
    }
  }

  async function characterLosses(runIds: readonly number[], passage: PassageRequest, topK = 5): Promise<void> {
    const seq = ++lossSeq;
    lossLoading.value = true;
    lossError.value = null;
    try {
      const result = await labClient().characterLosses({ runIds: [...runIds], checkpoint: checkpoint.value, topK, ...passage });
      if (seq === lossSeq) losses.value = result;
    } catch (e) {
      if (seq === lossSeq) lossError.value = errorMessage(e);
    } finally {
      if (seq === lossSeq) lossLoading.value = false;
    }
  }

  return {
    experimentId, details, detailsError, section, checkpoint, corpusId, flowRunIds, flowWindow, gateRunId, lossRunIds, passage,
    flows, flowErrors, flowLoading, histories, historyErrors,
    inspection, inspecting, inspectError, losses, lossLoading, lossError,
    open, lookInside, flowOf, measureFlow, loadHistories, inspect, characterLosses,
  };
});

export { flowKey };
