/**
 * Runs and their data: the Run records (status, step, best loss), the metric and evaluation series
 * of each run, samples, checkpoints and text generation. Live events append here; charts read the
 * series and watch `revision`.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ApiEvent, Comparison, GenerateRequest, MetricRow, Run } from '../../src-main/api/contract.ts';
import { queueName, seedName, statusName } from '../composables/run-text.ts';
import { tr } from '../i18n.ts';
import { labClient } from './lab-client.ts';
import { appendEval, appendMetrics, emptySeries, mergeHistory, type RunSeries } from './run-series.ts';
import { useUiStore } from './ui.ts';

export type RunAction = 'pause' | 'resume' | 'cancel' | 'duplicate';

export interface SampleView {
  step: number;
  prime: string;
  temperature: number;
  text: string;
}

export interface Generation {
  requestId: string;
  /** the run it generates from, or null for an imported model */
  runId: number | null;
  /** the imported model it generates from, or null for a run */
  modelId: number | null;
  /** what has arrived so far (without the prime) */
  text: string;
  length: number;
  done: boolean;
  error: string | null;
}

export type GenerateOptions = Omit<GenerateRequest, 'runId' | 'modelId' | 'requestId'>;

/** where generated text comes from: a run's checkpoint or an imported model */
export type GenerateSource = { runId: number } | { modelId: number };

/**
 * What an action did that the row alone does not say: where a duplicate stands, and that a paused
 * waiting run left the queue.
 */
function actionNote(action: RunAction, runId: number, before: Run | undefined, after: Run): string | null {
  if (action === 'duplicate') {
    const copy = { id: after.id, name: `${after.cell} ${seedName(after)}`, of: runId };
    if (after.status === 'not-started') return tr('toasts.copyNotStarted', copy);
    return after.queue ? tr('toasts.copyQueued', { ...copy, queue: queueName(after.queue) }) : tr('toasts.copyStatus', { ...copy, status: statusName(after.status) });
  }
  if (action === 'pause' && before?.status === 'waiting') return tr('toasts.leftQueue', { id: runId });
  return null;
}

function actionFailed(action: RunAction, id: number): string {
  switch (action) {
    case 'pause': return tr('toasts.runAction.pause', { id });
    case 'resume': return tr('toasts.runAction.resume', { id });
    case 'cancel': return tr('toasts.runAction.cancel', { id });
    case 'duplicate': return tr('toasts.runAction.duplicate', { id });
  }
}

/** samples kept per run: the newest */
const MAX_SAMPLES = 50;

let requestCounter = 0;
function newRequestId(): string {
  const random = globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
  return `gen-${++requestCounter}-${random}`;
}

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<Record<number, Run>>({});
  /** the newest metric row of each run: speed and train loss for the run table */
  const latest = ref<Record<number, MetricRow>>({});
  const samples = ref<Record<number, SampleView[]>>({});
  /** step of each run's best and last checkpoint, as far as we have seen */
  const checkpoints = ref<Record<number, { best: number | null; last: number | null }>>({});
  const generations = ref<Record<string, Generation>>({});
  /** bumped whenever any series changes; charts coalesce it into a few redraws a second */
  const revision = shallowRef(0);
  const loading = ref<Record<number, boolean>>({});
  const comparison = ref<Comparison | null>(null);
  const comparing = ref(false);
  // Not state: large, and read only by chart code that redraws on `revision`.
  const series = new Map<number, RunSeries>();

  function seriesOf(runId: number): RunSeries {
    let s = series.get(runId);
    if (!s) {
      s = emptySeries();
      series.set(runId, s);
    }
    return s;
  }

  function upsertRun(run: Run): void {
    runs.value[run.id] = run;
  }

  function runsOfExperiment(experimentId: number): Run[] {
    return Object.values(runs.value).filter((r) => r.experimentId === experimentId).sort((a, b) => a.id - b.id);
  }

  function handleEvent(e: ApiEvent): void {
    switch (e.type) {
      case 'run':
        upsertRun(e.run);
        return;
      case 'metrics': {
        if (e.rows.length === 0) return;
        appendMetrics(seriesOf(e.runId), e.rows);
        const last = e.rows[e.rows.length - 1];
        latest.value[e.runId] = last;
        const run = runs.value[e.runId];
        if (run) {
          run.step = last.step;
          run.elapsed = last.wallSeconds;
        }
        revision.value++;
        return;
      }
      case 'eval': {
        appendEval(seriesOf(e.runId), e);
        const run = runs.value[e.runId];
        if (run && Number.isFinite(e.valLoss) && (run.bestValLoss === null || e.valLoss < run.bestValLoss)) run.bestValLoss = e.valLoss;
        revision.value++;
        return;
      }
      case 'sample': {
        const list = (samples.value[e.runId] ??= []);
        list.push({ step: e.step, prime: e.prime, temperature: e.temperature, text: e.text });
        if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
        return;
      }
      case 'checkpoint': {
        const c = (checkpoints.value[e.runId] ??= { best: null, last: null });
        c[e.kind] = e.step;
        return;
      }
      case 'generate': {
        const g = generations.value[e.requestId];
        if (g && !g.done) g.text += e.text;
        return;
      }
    }
  }

  /** Loads a run's stored metrics, evaluations and samples (merging with live rows). */
  async function loadRun(runId: number): Promise<void> {
    loading.value[runId] = true;
    try {
      const data = await labClient().getRunData({ id: runId });
      upsertRun(data.run);
      mergeHistory(seriesOf(runId), data.metrics, data.evals);
      if (data.metrics.length) latest.value[runId] = data.metrics[data.metrics.length - 1];
      samples.value[runId] = data.samples.slice(-MAX_SAMPLES).map((s) => ({ step: s.step, prime: s.prime, temperature: s.temperature, text: s.text }));
      if (data.evals.length && !checkpoints.value[runId]) {
        // a run with evaluations has written checkpoints; the exact steps arrive with later events
        checkpoints.value[runId] = { best: null, last: data.run.step };
      }
      revision.value++;
    } catch (e) {
      useUiStore().report(e, tr('toasts.loadRun', { id: runId }));
    } finally {
      loading.value[runId] = false;
    }
  }

  async function runAction(runId: number, action: RunAction): Promise<Run | null> {
    const client = labClient();
    const before = runs.value[runId];
    try {
      const run = action === 'pause' ? await client.pauseRun({ id: runId })
        : action === 'resume' ? await client.resumeRun({ id: runId })
          : action === 'cancel' ? await client.cancelRun({ id: runId })
            : await client.duplicateRun({ id: runId });
      // The reply describes the run when the request was answered (a running run still "running"
      // after pause or cancel); the events stream may overtake it with the newer state (paused,
      // cancelled, a duplicate that started). When an event about the run came in meanwhile, it
      // wins over the reply: every change is announced, so the events alone end up right.
      if (runs.value[run.id] === (run.id === runId ? before : undefined)) upsertRun(run);
      const said = actionNote(action, runId, before, run);
      if (said) useUiStore().notify('info', said);
      return run;
    } catch (e) {
      useUiStore().report(e, actionFailed(action, runId));
      return null;
    }
  }

  /** Starts generating from a run; the text streams into generations[requestId]. */
  function generate(runId: number, opts: GenerateOptions): string {
    return generateFrom({ runId }, opts);
  }

  /** Starts generating from a run's checkpoint or an imported model (no checkpoint sent for a model). */
  function generateFrom(source: GenerateSource, opts: GenerateOptions): string {
    const requestId = newRequestId();
    const runId = 'runId' in source ? source.runId : null;
    const modelId = 'modelId' in source ? source.modelId : null;
    generations.value[requestId] = { requestId, runId, modelId, text: '', length: opts.length, done: false, error: null };
    const { checkpoint, ...rest } = opts;
    const req: GenerateRequest = modelId !== null ? { ...rest, modelId, requestId } : { ...rest, ...(checkpoint ? { checkpoint } : {}), runId: runId!, requestId };
    void (async () => {
      try {
        const { text } = await labClient().generate(req);
        const g = generations.value[requestId];
        g.text = text;
        g.done = true;
      } catch (e) {
        const g = generations.value[requestId];
        g.done = true;
        g.error = e instanceof Error ? e.message : String(e);
      }
    })();
    return requestId;
  }

  /** One generation per run with the same prime, seed and temperature; request ids by run. */
  function generateForRuns(runIds: number[], opts: GenerateOptions): Record<number, string> {
    const out: Record<number, string> = {};
    for (const id of runIds) out[id] = generate(id, opts);
    return out;
  }

  function forgetGeneration(requestId: string): void {
    delete generations.value[requestId];
  }

  async function compare(ids: number[]): Promise<void> {
    if (ids.length === 0) {
      comparison.value = null;
      return;
    }
    comparing.value = true;
    try {
      comparison.value = await labClient().compareRuns({ ids });
    } catch (e) {
      useUiStore().report(e, tr('toasts.compareRuns'));
    } finally {
      comparing.value = false;
    }
  }

  return {
    runs, latest, samples, checkpoints, generations, revision, loading, comparison, comparing,
    seriesOf, upsertRun, runsOfExperiment, handleEvent, loadRun, runAction, generate, generateFrom, generateForRuns, forgetGeneration, compare,
  };
});
