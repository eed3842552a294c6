/**
 * Training on this machine: the executor behind the scheduler, over the Piscina pool's train
 * threads. The pool is asked for on the first run, so a lab that never trains starts no workers.
 */
import type { TrainEvent } from '../../src-worker/train-report.ts';
import type { RunHandle, TrainingExecutor, TrainRequest } from '../lab/executor.ts';
import type { TrainingPool } from './pool.ts';

export class PiscinaExecutor implements TrainingExecutor {
  /** `threads` is the pool's maxThreads: the scheduler fills the pool and never makes it queue */
  constructor(readonly threads: number, private readonly pool: () => TrainingPool) {}

  start(request: TrainRequest, onEvent: (ev: TrainEvent) => void): RunHandle {
    return this.pool().start(request, { onEvent });
  }
}
