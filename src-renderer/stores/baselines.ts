/**
 * The reference losses of each corpus (uniform, unigram, n-grams) that the loss charts draw as
 * lines, and which of them to draw. The lab computes them once per corpus, which can take a second
 * on a large corpus: they are asked for in the background, once, and the charts draw without them
 * until they arrive.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { BaselinesReport } from '../../src-main/api/contract.ts';
import { DEFAULT_REFERENCE_CHOICE, type ReferenceChoice } from '../../src-shared/reference-lines.ts';
import { errorMessage } from './errors.ts';
import { labClient } from './lab-client.ts';

export type BaselinesState =
  | { status: 'loading' }
  | { status: 'ready'; report: BaselinesReport }
  | { status: 'failed'; message: string };

export const useBaselinesStore = defineStore('baselines', () => {
  const byCorpus = ref<Record<number, BaselinesState>>({});
  /** shared by every loss chart, so the Experiment and Compare screens show the same lines */
  const choice = ref<ReferenceChoice>({ ...DEFAULT_REFERENCE_CHOICE, orders: [...DEFAULT_REFERENCE_CHOICE.orders] });

  /** Asks for a corpus's baselines unless they are there or on their way; a failure may be retried. */
  async function load(corpusId: number): Promise<void> {
    const known = byCorpus.value[corpusId];
    if (known && known.status !== 'failed') return;
    byCorpus.value[corpusId] = { status: 'loading' };
    try {
      const report = await labClient().getBaselines({ corpusId });
      byCorpus.value[corpusId] = { status: 'ready', report };
    } catch (e) {
      // the charts are still useful without the lines: say so beside the controls, no toast
      byCorpus.value[corpusId] = { status: 'failed', message: errorMessage(e) };
    }
  }

  function reportOf(corpusId: number | null): BaselinesReport | null {
    if (corpusId === null) return null;
    const s = byCorpus.value[corpusId];
    return s?.status === 'ready' ? s.report : null;
  }

  return { byCorpus, choice, load, reportOf };
});
