/**
 * Sweeps' reports (per cell the best trial, expected best, importance) and their confirmation. A
 * report is asked for again when a run of its sweep changes state (a trial ends, or is stopped):
 * one request at a time per sweep, and one more after it when runs changed meanwhile, so the views
 * end as the lab has them. The confirmation experiment's runs are loaded into the runs store, where
 * the summary over seeds reads them.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiEvent, SweepReport } from '../../src-main/api/contract.ts';
import { tr } from '../i18n.ts';
import { errorMessage } from './errors.ts';
import { useExperimentsStore } from './experiments.ts';
import { labClient } from './lab-client.ts';
import { useRunsStore } from './runs.ts';
import { useUiStore } from './ui.ts';

export const useSweepsStore = defineStore('sweeps', () => {
  const reports = ref<Record<number, SweepReport>>({});
  /** why a sweep's report could not be had */
  const problems = ref<Record<number, string>>({});
  const confirming = ref<Record<number, boolean>>({});
  const inFlight = new Map<number, Promise<void>>();
  const again = new Set<number>();
  /** confirmation experiments whose runs are loaded */
  const loadedConfirms = new Set<number>();

  async function fetch(experimentId: number): Promise<void> {
    try {
      const report = await labClient().sweepReport({ experimentId });
      reports.value[experimentId] = report;
      delete problems.value[experimentId];
      if (report.confirm) await loadConfirm(report.confirm.experimentId);
    } catch (e) {
      problems.value[experimentId] = errorMessage(e);
    }
  }

  async function loadConfirm(id: number): Promise<void> {
    if (loadedConfirms.has(id)) return;
    loadedConfirms.add(id);
    const runs = useRunsStore();
    try {
      const details = await labClient().getExperiment({ id });
      for (const r of details.runs) runs.upsertRun(r);
      await Promise.all(details.runs.map((r) => runs.loadRun(r.id)));
    } catch (e) {
      loadedConfirms.delete(id);
      useUiStore().report(e, tr('sweep.confirm.loadFailed'));
    }
  }

  /** Asks for a sweep's report now, or once more after the request under way. */
  function refresh(experimentId: number): Promise<void> {
    const running = inFlight.get(experimentId);
    if (running) {
      again.add(experimentId);
      return running;
    }
    const p = fetch(experimentId).finally(() => {
      inFlight.delete(experimentId);
      if (again.delete(experimentId)) void refresh(experimentId);
    });
    inFlight.set(experimentId, p);
    return p;
  }

  useRunsStore().$onAction(({ name, args, store }) => {
    if (name !== 'handleEvent') return;
    const [e] = args as [ApiEvent];
    if (e.type !== 'run' || !(e.run.experimentId in reports.value)) return;
    if (store.runs[e.run.id]?.status !== e.run.status) void refresh(e.run.experimentId);
  });

  /**
   * Creates the experiment that reruns each cell's best trial on fresh seeds (or finds the one
   * made before), queues its runs and lists it.
   */
  async function confirm(experimentId: number): Promise<number | null> {
    confirming.value[experimentId] = true;
    try {
      const details = await labClient().confirmSweep({ experimentId });
      const runs = useRunsStore();
      for (const r of details.runs) runs.upsertRun(r);
      const experiments = useExperimentsStore();
      await experiments.start(details.experiment.id);
      void experiments.load();
      await refresh(experimentId);
      return details.experiment.id;
    } catch (e) {
      useUiStore().report(e, tr('sweep.confirm.failed'));
      return null;
    } finally {
      confirming.value[experimentId] = false;
    }
  }

  return { reports, problems, confirming, refresh, confirm };
});
