/**
 * The seam between the scheduler and whatever trains its runs: this machine's worker threads
 * (src-main/pool/piscina-executor.ts) or, later, workers elsewhere. The scheduler decides which run
 * starts when; an executor only trains what it is given and reports back.
 *
 * What an implementation must guarantee:
 * - Capacity: `threads` does not change. The scheduler starts a run only while the train.threads
 *   of the runs it has started and not yet seen finish add up to at most `threads`, so an
 *   executor never has to queue.
 * - Events: a run's events reach `onEvent` in the order the trainer posted them, none before
 *   `start` returns and all of them before `result` settles; a checkpoint's state is handed over,
 *   not shared. An exception thrown by `onEvent` is reported (stderr) and the run goes on.
 * - Result: `result` settles once and never rejects. A trainer that throws, runs out of memory, or
 *   whose worker or connection is lost resolves it as 'failed' with the error's message and the
 *   last step it reported.
 * - Pause: the run stops after posting a 'last' checkpoint and resolves 'paused' at that step; one
 *   that has not begun training stops at once, 'paused' at its resume step, with no checkpoint (the
 *   lab has it already). Cancel: the run stops without a checkpoint and resolves 'cancelled'.
 *   Both may be called at any time and more than once: the first wins, and after the run has
 *   ended they do nothing, so a run asked to stop may still resolve 'completed' or 'failed'.
 */
import type { TrainTask } from '../../src-worker/train-protocol.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';

/** A run's training task without the local transport (progress port, control word): the executor adds its own. */
export type TrainRequest = Omit<TrainTask, 'port' | 'control'>;

export interface RunHandle {
  readonly result: Promise<TrainResult>;
  pause(): void;
  cancel(): void;
}

export interface TrainingExecutor {
  /** threads the runs in training at once may take in all (a run takes its train.threads) */
  readonly threads: number;
  start(request: TrainRequest, onEvent: (ev: TrainEvent) => void): RunHandle;
}
