/**
 * The seam between the scheduler and whatever trains its runs: this machine's worker threads
 * (src-main/pool/piscina-executor.ts) or workers elsewhere through Redis
 * (src-main/remote/remote-executor.ts). The scheduler decides which run starts when; an executor
 * only trains what it is given and reports back.
 *
 * What an implementation must guarantee:
 * - Capacity: the scheduler starts a run only while the train.threads of the runs it has started
 *   and not yet seen finish add up to at most `threads`, so an executor never has to queue. For
 *   the local pool `threads` never changes, and a run wider than it is refused. An executor whose
 *   capacity comes and goes (workers that join and leave) has `onCapacityChange`: `threads` is
 *   what it has now (0 with no worker), a run wider than that waits rather than being refused,
 *   and the scheduler looks at its queue again whenever the listener is called. Capacity that
 *   shrinks under running runs is not taken back: they go on (or resume elsewhere).
 * - Events: a run's events reach `onEvent` in the order the trainer posted them, none before
 *   `start` returns and all of them before `result` settles; a checkpoint's state is handed over,
 *   not shared. An exception thrown by `onEvent` is reported (stderr) and the run goes on.
 * - Result: `result` settles once and never rejects. A trainer that throws, runs out of memory, or
 *   whose worker or connection is lost resolves it as 'failed' with the error's message and the
 *   last step it reported. An executor that can hand a run to another worker (from the run's last
 *   checkpoint) resolves nothing then: it reports an 'attempt' event from that step, after which
 *   the run reports the later steps again, and what was recorded for them is replaced.
 * - Pause: the run stops after posting a 'last' checkpoint and resolves 'paused' at that step; one
 *   that has not begun training stops at once, 'paused' at its resume step, with no checkpoint (the
 *   lab has it already). Cancel: the run stops without a checkpoint and resolves 'cancelled'.
 *   Both may be called at any time and more than once: the first wins, and after the run has
 *   ended they do nothing, so a run asked to stop may still resolve 'completed' or 'failed'.
 */
import type { TrainTask } from '../../src-worker/train-protocol.ts';
import type { TrainEvent, TrainResult } from '../../src-worker/train-report.ts';

/**
 * A run's training task without the local transport (progress port, control word): the executor
 * adds its own. A remote executor sends a run with a kernelSet only to workers with that set.
 */
export type TrainRequest = Omit<TrainTask, 'port' | 'control'>;

/**
 * What a run reports: the trainer's events, and (remote executors) the start of an attempt: the
 * run continues from step `from` on another worker, so anything recorded after `from` is
 * reported again.
 */
export type RunEvent = TrainEvent | { type: 'attempt'; from: number };

export interface RunHandle {
  readonly result: Promise<TrainResult>;
  pause(): void;
  cancel(): void;
}

export interface TrainingExecutor {
  /** threads the runs in training at once may take in all (a run takes its train.threads) */
  readonly threads: number;
  /** present where capacity comes and goes: the listener is called whenever `threads` changes */
  onCapacityChange?(listener: () => void): void;
  start(request: TrainRequest, onEvent: (ev: RunEvent) => void): RunHandle;
}
