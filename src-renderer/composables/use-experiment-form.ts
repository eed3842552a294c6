/**
 * The new-experiment form: its values (remembered per corpus), every refusal at once beside its
 * field (the form's own checks, then what the lab's plan refused), the lab's plan for a valid spec
 * (parameter count per cell, time estimate) fetched as the user types, and why Create is disabled.
 */
import { computed, inject, provide, reactive, watch, type InjectionKey } from 'vue';
import { tr } from '../i18n.ts';
import { useCorporaStore } from '../stores/corpora.ts';
import { useExperimentsStore } from '../stores/experiments.ts';
import { useModelsStore } from '../stores/models.ts';
import { recallSettings, rememberSettings } from './experiment-form-memory.ts';
import { formFieldOf, isShown, labelOf, userMessage, validateForm, type FormContext, type FormErrors, type FormField } from './experiment-form-rules.ts';
import { checkSweep, formSpecOf } from './experiment-form-sweep-rules.ts';
import { defaultFormValues, type ExperimentFormValues } from './experiment-form-values.ts';
import { useDebouncedWatch } from './use-debounced-watch.ts';

export function useExperimentForm(initialCorpusId: number | null, planDelayMs = 300) {
  const storage = window.localStorage;
  const experiments = useExperimentsStore();
  const models = useModelsStore();
  const corpora = useCorporaStore();
  if (!models.loaded) void models.load();
  void experiments.loadWorkers();
  const values = reactive<ExperimentFormValues>(defaultFormValues(initialCorpusId));
  /** the imported model chosen to start from */
  const fromModel = computed(() => models.byId(values.initFromModelId));
  const corpus = computed(() => corpora.corpora.find((c) => c.id === values.corpusId) ?? null);
  const context = computed<FormContext>(() => ({ corpus: corpus.value, workers: experiments.workers }));
  /** the sweep's rows read and checked, while it is on */
  const sweep = computed(() => (values.sweep.on ? checkSweep(values) : null));
  const spec = computed(() => formSpecOf(values, sweep.value, fromModel.value));

  /** the form's own refusals: every one at once */
  const local = computed<FormErrors>(() => {
    const errors = validateForm(values, context.value);
    if (values.initFromModelId !== null && !fromModel.value) errors.initFrom = tr('form.modelGoneError');
    return errors;
  });

  /** what the lab refused, in the form's words, beside its input (or null for none) */
  const refusal = computed<{ field: FormField | null; message: string } | null>(() => {
    const fe = experiments.fieldError;
    if (fe) {
      const named = formFieldOf(fe.field);
      const field = named && isShown(named, values) ? named : null;
      return { field, message: userMessage(named, fe.message) };
    }
    return experiments.formError ? { field: null, message: userMessage(null, experiments.formError) } : null;
  });

  const errors = computed<FormErrors>(() => {
    const r = refusal.value;
    return r?.field && !local.value[r.field] ? { ...local.value, [r.field]: r.message } : local.value;
  });

  /** a refusal that belongs to no single field */
  const generalError = computed(() => (refusal.value && !refusal.value.field ? refusal.value.message : null));

  const valid = computed(() => Object.keys(errors.value).length === 0 && !generalError.value);

  /** why Create is disabled, or null when it is not */
  const blockedBecause = computed<string | null>(() => {
    const fields = Object.keys(errors.value) as FormField[];
    if (fields.length === 1) return tr('form.blockedOne', { field: labelOf(fields[0]) });
    if (fields.length > 1) return tr('form.blockedMany', { n: fields.length, fields: fields.map(labelOf).join(', ') });
    if (generalError.value) return tr('form.blockedLab');
    return null;
  });

  // the remembered settings of a corpus come back when it is chosen, before anything is saved under it
  watch(() => corpus.value?.sha256, (sha) => {
    const saved = sha ? recallSettings(storage, sha) : null;
    if (saved) Object.assign(values, saved);
  }, { immediate: true, flush: 'sync' });
  watch(values, () => {
    if (corpus.value) rememberSettings(storage, corpus.value.sha256, values);
  }, { deep: true });

  /** Puts every setting back to its default; the corpus, the name and the starting model stay. */
  function resetToDefaults(): void {
    const { corpusId, name, initFromModelId } = values;
    Object.assign(values, defaultFormValues(corpusId), { name, initFromModelId });
  }

  // a refused form shows no plan at once (the plan of what it was is not what it is); a valid one
  // asks the lab once the user has stopped typing
  const plannable = computed(() => Object.keys(local.value).length === 0 && values.corpusId !== null);
  watch(plannable, (ok) => {
    if (!ok) experiments.clearPlan();
  }, { flush: 'sync' });
  useDebouncedWatch(() => JSON.stringify([values.corpusId, spec.value, plannable.value]), () => {
    if (plannable.value && values.corpusId !== null) void experiments.planFor(values.corpusId, spec.value);
    else experiments.clearPlan();
  }, planDelayMs);

  async function submit(start: boolean): Promise<boolean> {
    if (!valid.value || values.corpusId === null) return false;
    const created = await experiments.create(values.corpusId, spec.value, { name: values.name.trim() || undefined, start });
    return created !== null;
  }

  return { values, spec, sweep, fromModel, corpus, context, errors, generalError, valid, blockedBecause, resetToDefaults, submit };
}

export type ExperimentForm = ReturnType<typeof useExperimentForm>;

const FORM: InjectionKey<ExperimentForm> = Symbol('experiment form');

/** The form's state for its parts (NewExperimentFormAdvanced, NewExperimentFormSweep, NewExperimentFormPlan). */
export function provideExperimentForm(form: ExperimentForm): void {
  provide(FORM, form);
}

export function injectExperimentForm(): ExperimentForm {
  const form = inject(FORM);
  if (!form) throw new Error('a part of the new-experiment form is used outside NewExperimentForm');
  return form;
}
