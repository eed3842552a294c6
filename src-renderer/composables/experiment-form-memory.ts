/**
 * The new-experiment form's last settings per corpus, in localStorage under the corpus's SHA-256
 * (so the same text imported again finds them). What is read back is checked key by key against
 * the defaults' kinds: an entry from an older version or edited by hand fills what it can (the
 * sweep's too, row by row).
 */
import type { CellName } from '../../src-main/api/contract.ts';
import { recallSweep } from './experiment-form-sweep.ts';
import { CELL_CHOICES, defaultFormValues, INIT_SCHEMES, OPTIMIZERS, SCHEDULES, type ExperimentFormValues } from './experiment-form-values.ts';

const PREFIX = 'rnn-lab.new-experiment.';

const NOT_REMEMBERED = ['corpusId', 'name', 'initFromModelId'] as const;

/** The settings an experiment on a corpus shares with the next one: not the corpus, name or starting model. */
type RememberedSettings = Omit<ExperimentFormValues, (typeof NOT_REMEMBERED)[number]>;

const CHOICES: Partial<Record<keyof RememberedSettings, readonly string[]>> = {
  budgetMode: ['hidden', 'params'],
  optimizer: OPTIMIZERS,
  schedule: SCHEDULES,
  init: INIT_SCHEMES.map((s) => s.value),
};

export function rememberSettings(storage: Storage, corpusSha: string, v: ExperimentFormValues): void {
  const settings: Partial<ExperimentFormValues> = { ...v };
  for (const key of NOT_REMEMBERED) delete settings[key];
  try {
    storage.setItem(PREFIX + corpusSha, JSON.stringify(settings));
  } catch {
    // a full or refused storage only costs the memory, never the form
  }
}

/** The settings last used on a corpus, or null when there are none (or none that can be read). */
export function recallSettings(storage: Storage, corpusSha: string): Partial<RememberedSettings> | null {
  let saved: unknown;
  try {
    saved = JSON.parse(storage.getItem(PREFIX + corpusSha) ?? 'null');
  } catch {
    return null;
  }
  if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) return null;
  const defaults = defaultFormValues();
  const cells = new Set(CELL_CHOICES.map((c) => c.cell));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(saved)) {
    if (!Object.hasOwn(defaults, key) || (NOT_REMEMBERED as readonly string[]).includes(key)) continue;
    const choices = CHOICES[key as keyof RememberedSettings];
    if (key === 'sweep') {
      out.sweep = recallSweep(value, defaults.sweep);
    } else if (key === 'cells') {
      if (Array.isArray(value)) out.cells = [...new Set(value.filter((c: unknown): c is CellName => cells.has(c as CellName)))];
    } else if (choices) {
      if (choices.includes(value as string)) out[key] = value;
    } else if (typeof value === 'number' || value === '') {
      out[key] = value;
    }
  }
  return out as Partial<RememberedSettings>;
}
