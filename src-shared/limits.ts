/** Limits both sides check: the renderer, to say so before it asks; main and the engine, to refuse. */

/** Longest passage the cell and per-character views read, characters. */
export const DIAGNOSE_MAX_PASSAGE = 5000;

/** Fewest distinct symbols a model may have: a softmax over one has nothing to predict (its loss is 0 from the first step). */
export const MIN_VOCAB = 2;

/** Largest sizes and counts we accept: beyond them a typo would allocate gigabytes or never end. */
export const LIMITS = {
  vocab: 65536,
  hidden: 8192,
  embedding: 8192,
  layers: 4,
  seqLen: 100000,
  batch: 4096,
  threads: 64,
  /** runs per cell of an experiment (seeds firstSeed..firstSeed + N - 1) */
  seeds: 100,
  /** an experiment's first seed */
  firstSeed: 1e9,
  /** an equal parameter budget */
  params: 1e9,
  /** a run's steps, and every interval or warm-up counted in steps */
  steps: 1e9,
  /** a sweep's trials per cell */
  trials: 1000,
  /** the runs of one experiment in all (cells x trials x seeds): a sweep beyond it is a typo or weeks of training */
  runs: 1000,
};

/** The values a number may take: min to max, whole numbers only where `whole`, an end left out where open. */
export interface Range {
  min: number;
  max: number;
  whole?: boolean;
  /** min itself is refused */
  minOpen?: boolean;
  /** max itself is refused */
  maxOpen?: boolean;
}

export function inRange(value: unknown, r: Range): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (!r.whole || Number.isInteger(value)) &&
    (r.minOpen ? value > r.min : value >= r.min) && (r.maxOpen ? value < r.max : value <= r.max);
}

/**
 * The range of every experiment setting the new-experiment form offers, as the engine and the lab
 * check it. Two also depend on another setting: threads are at most the batch (each thread takes
 * at least one stream), and the cosine schedule's final rate is at most the learning rate.
 */
export const SETTING_RANGES = {
  hidden: { whole: true, min: 1, max: LIMITS.hidden },
  params: { whole: true, min: 1, max: LIMITS.params },
  layers: { whole: true, min: 1, max: LIMITS.layers },
  embedding: { whole: true, min: 0, max: LIMITS.embedding },
  dropout: { min: 0, max: 1, maxOpen: true },
  seqLen: { whole: true, min: 1, max: LIMITS.seqLen },
  batch: { whole: true, min: 1, max: LIMITS.batch },
  threads: { whole: true, min: 1, max: LIMITS.threads },
  steps: { whole: true, min: 1, max: LIMITS.steps },
  seeds: { whole: true, min: 1, max: LIMITS.seeds },
  firstSeed: { whole: true, min: 0, max: LIMITS.firstSeed },
  clip: { min: 0, max: Infinity },
  lr: { min: 0, max: 10, minOpen: true },
  weightDecay: { min: 0, max: 1 },
  forgetBias: { min: -100, max: 100 },
  stepSize: { whole: true, min: 1, max: LIMITS.steps },
  gamma: { min: 0, max: 1, minOpen: true },
  minLr: { min: 0, max: Infinity },
  warmup: { whole: true, min: 0, max: LIMITS.steps },
} as const satisfies Record<string, Range>;

/** The smallest value of each cadence setting (0 = never, where allowed); the request schema caps the intervals at LIMITS.steps. */
export const CADENCE_MIN = { metricsEvery: 1, evalEvery: 1, evalChars: 0, sampleEvery: 0, sampleLength: 1, checkpointEvery: 1 } as const;
