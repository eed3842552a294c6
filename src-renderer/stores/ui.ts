import { defineStore } from 'pinia';
import { ref } from 'vue';
import { tr } from '../i18n.ts';
import { errorMessage } from './errors.ts';

export type Screen = 'corpora' | 'new-experiment' | 'experiment' | 'compare' | 'generate' | 'inside';

/** the screens in the nav bar's order */
export const SCREENS: readonly Screen[] = ['corpora', 'new-experiment', 'experiment', 'compare', 'generate', 'inside'];

export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

/** how long a message stays before it leaves by itself; errors stay until dismissed */
const TOAST_MS: Record<ToastKind, number> = { info: 5000, success: 5000, error: 0 };

export const useUiStore = defineStore('ui', () => {
  const screen = ref<Screen>('corpora');
  const selectedCorpusId = ref<number | null>(null);
  const selectedExperimentId = ref<number | null>(null);
  /** runs picked on the Compare screen, from any experiment */
  const compareRunIds = ref<number[]>([]);
  const generateRunId = ref<number | null>(null);
  /** an imported model chosen on the Generate screen instead of a run */
  const generateModelId = ref<number | null>(null);
  const toasts = ref<Toast[]>([]);
  /** what the address named that is not in the lab (a deleted experiment), until the next new place */
  const addressNotice = ref<string | null>(null);
  let nextToast = 1;

  function show(s: Screen): void {
    screen.value = s;
  }

  function notify(kind: ToastKind, text: string): number {
    const id = nextToast++;
    toasts.value.push({ id, kind, text });
    if (toasts.value.length > 5) toasts.value.splice(0, toasts.value.length - 5);
    if (TOAST_MS[kind] > 0) window.setTimeout(() => dismiss(id), TOAST_MS[kind]);
    return id;
  }

  function report(e: unknown, context?: string): void {
    notify('error', context ? tr('common.withReason', { context, reason: errorMessage(e) }) : errorMessage(e));
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function toggleCompare(runId: number, on?: boolean): void {
    const has = compareRunIds.value.includes(runId);
    const want = on ?? !has;
    if (want && !has) compareRunIds.value = [...compareRunIds.value, runId];
    if (!want && has) compareRunIds.value = compareRunIds.value.filter((id) => id !== runId);
  }

  return { screen, selectedCorpusId, selectedExperimentId, compareRunIds, generateRunId, generateModelId, toasts, addressNotice, show, notify, report, dismiss, toggleCompare };
});
