import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ApiEvent, ExperimentDetails, ExperimentPlan, ExperimentSpecInput, ExperimentSummary, CheckpointKind, ExportFormat } from '../../src-main/api/contract.ts';
import { LabApiError } from '../api/client.ts';
import { currentLang, tr } from '../i18n.ts';
import { errorMessage, refusedField, type FieldError } from './errors.ts';
import { labClient } from './lab-client.ts';
import { useRunsStore } from './runs.ts';
import { useUiStore } from './ui.ts';

export const useExperimentsStore = defineStore('experiments', () => {
  const experiments = ref<ExperimentSummary[]>([]);
  const loaded = ref(false);
  /** the experiment open on the Experiment screen (its runs live in the runs store) */
  const current = ref<ExperimentDetails | null>(null);
  const plan = ref<ExperimentPlan | null>(null);
  const planning = ref(false);
  /** the field the lab refused (invalid-config, or a spec the request schema refused), shown beside that field */
  const fieldError = ref<FieldError | null>(null);
  /** any other refusal of the form */
  const formError = ref<string | null>(null);
  const creating = ref(false);
  /** the threads the lab trains on (the form's limit on threads per run), once asked */
  const workers = ref<number | null>(null);
  let planSeq = 0;

  async function load(): Promise<void> {
    try {
      experiments.value = await labClient().listExperiments({});
    } catch (e) {
      useUiStore().report(e, tr('toasts.listExperiments'));
    } finally {
      loaded.value = true;
    }
  }

  // The picker counts each experiment's runs by state. A run event that adds a run (a duplicate)
  // or changes one's state asks for the list again: one request at a time, and one more after it
  // when events came in meanwhile, so the counts end as the lab has them.
  let counting: Promise<void> | null = null;
  let countAgain = false;
  function recount(): void {
    if (counting) {
      countAgain = true;
      return;
    }
    counting = load().finally(() => {
      counting = null;
      if (countAgain) {
        countAgain = false;
        recount();
      }
    });
  }
  useRunsStore().$onAction(({ name, args, store }) => {
    if (name !== 'handleEvent') return;
    const [e] = args as [ApiEvent];
    if (e.type === 'run' && store.runs[e.run.id]?.status !== e.run.status) recount();
  });

  function refuse(e: unknown): void {
    const field = refusedField(e);
    fieldError.value = field;
    formError.value = field ? null : errorMessage(e);
  }

  /** Plans the runs of a spec (parameter counts, time); answers that arrive late are dropped. */
  async function planFor(corpusId: number, spec: ExperimentSpecInput): Promise<void> {
    const seq = ++planSeq;
    planning.value = true;
    try {
      const p = await labClient().planExperiment({ corpusId, spec });
      if (seq !== planSeq) return;
      plan.value = p;
      fieldError.value = null;
      formError.value = null;
    } catch (e) {
      if (seq !== planSeq) return;
      plan.value = null;
      refuse(e);
    } finally {
      if (seq === planSeq) planning.value = false;
    }
  }

  /** Asks the lab how many threads it trains on, once. */
  async function loadWorkers(): Promise<void> {
    if (workers.value !== null) return;
    try {
      workers.value = (await labClient().appInfo({})).workers;
    } catch {
      // the form works without it: the lab refuses too many threads per run itself, beside the box
    }
  }

  function clearPlan(): void {
    planSeq++;
    plan.value = null;
    planning.value = false;
    fieldError.value = null;
    formError.value = null;
  }

  /** Creates the experiment and, when asked, queues its runs; then opens it. */
  async function create(corpusId: number, spec: ExperimentSpecInput, opts: { name?: string; start?: boolean } = {}): Promise<ExperimentDetails | null> {
    creating.value = true;
    try {
      const details = await labClient().createExperiment({ corpusId, spec, ...(opts.name ? { name: opts.name } : {}) });
      fieldError.value = null;
      formError.value = null;
      adopt(details);
      if (opts.start) await start(details.experiment.id);
      void load();
      useUiStore().show('experiment');
      return details;
    } catch (e) {
      refuse(e);
      return null;
    } finally {
      creating.value = false;
    }
  }

  function adopt(details: ExperimentDetails): void {
    current.value = details;
    const runs = useRunsStore();
    for (const r of details.runs) runs.upsertRun(r);
    useUiStore().selectedExperimentId = details.experiment.id;
  }

  /** Opens an experiment: its runs and their stored data. */
  async function open(id: number): Promise<void> {
    const ui = useUiStore();
    try {
      const details = await labClient().getExperiment({ id });
      adopt(details);
      const runs = useRunsStore();
      await Promise.all(details.runs.map((r) => runs.loadRun(r.id)));
    } catch (e) {
      ui.report(e, tr('toasts.openExperiment'));
    }
  }

  /** Fetches an experiment's runs into the runs store without opening it (the Compare picker). */
  async function loadRuns(id: number): Promise<void> {
    try {
      const details = await labClient().getExperiment({ id });
      const runs = useRunsStore();
      for (const r of details.runs) runs.upsertRun(r);
    } catch (e) {
      useUiStore().report(e, tr('toasts.listRuns'));
    }
  }

  async function start(id: number): Promise<number[]> {
    try {
      const { queued } = await labClient().runExperiment({ id });
      if (queued.length === 0) useUiStore().notify('info', tr('toasts.allEnded'));
      return queued;
    } catch (e) {
      useUiStore().report(e, tr('toasts.startExperiment'));
      return [];
    }
  }

  async function remove(id: number): Promise<boolean> {
    const ui = useUiStore();
    try {
      await labClient().deleteExperiment({ id });
      experiments.value = experiments.value.filter((x) => x.id !== id);
      if (current.value?.experiment.id === id) current.value = null;
      if (ui.selectedExperimentId === id) ui.selectedExperimentId = null;
      return true;
    } catch (e) {
      ui.report(e, tr('toasts.deleteExperiment'));
      return false;
    }
  }

  async function exportMetrics(id: number, format: 'csv' | 'json') {
    try {
      return await labClient().exportMetrics({ experimentId: id, format });
    } catch (e) {
      useUiStore().report(e, tr('toasts.exportMetrics'));
      return null;
    }
  }

  async function exportModel(runId: number, checkpoint: CheckpointKind, format: ExportFormat = 'safetensors') {
    try {
      return await labClient().exportModel({ runId, checkpoint, format });
    } catch (e) {
      useUiStore().report(e, tr('toasts.exportModel'));
      return null;
    }
  }

  async function exportReport(id: number) {
    try {
      return await labClient().exportReport({ experimentId: id, lang: currentLang() });
    } catch (e) {
      useUiStore().report(e, tr('toasts.makeReport'));
      return null;
    }
  }

  /**
   * The window as a PDF (print CSS: landscape A4, no navigation or buttons). The desktop app makes
   * the file itself; a browser answers bad-state and the page goes to the browser's print dialog
   * instead, where "Save as PDF" is one of the printers. The title names the file either way.
   */
  async function printPdf(title: string) {
    try {
      return await labClient().printPdf({ title });
    } catch (e) {
      if (e instanceof LabApiError && e.code === 'bad-state') printPage(title);
      else useUiStore().report(e, tr('toasts.makePdf'));
      return null;
    }
  }

  return {
    experiments, loaded, current, plan, planning, fieldError, formError, creating, workers,
    load, planFor, clearPlan, loadWorkers, create, open, loadRuns, start, remove, exportMetrics, exportModel, exportReport, printPdf,
  };
});

/** The browser's print dialog, with the document titled as the file should be named. */
function printPage(title: string): void {
  const before = document.title;
  document.title = title;
  try {
    window.print();
  } finally {
    document.title = before;
  }
}
