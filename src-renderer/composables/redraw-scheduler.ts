/**
 * Coalesces redraw requests: however many arrive, draw runs at most once per interval, and always
 * once after the last request (so the final state is drawn).
 */
export interface RedrawScheduler {
  request(): void;
  /** draws now if a draw is pending */
  flush(): void;
  dispose(): void;
}

export interface SchedulerTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

const browserTimers: SchedulerTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};

export function createRedrawScheduler(draw: () => void, minIntervalMs = 250, timers: SchedulerTimers = browserTimers): RedrawScheduler {
  let timer: number | null = null;
  let lastDraw = -Infinity;
  let disposed = false;

  function run(): void {
    timer = null;
    if (disposed) return;
    lastDraw = timers.now();
    draw();
  }

  return {
    request() {
      if (disposed || timer !== null) return;
      const wait = Math.max(0, lastDraw + minIntervalMs - timers.now());
      timer = timers.setTimeout(run, wait);
    },
    flush() {
      if (timer === null) return;
      timers.clearTimeout(timer);
      run();
    },
    dispose() {
      disposed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
