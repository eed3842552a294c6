/**
 * The lab's view of its remote workers: their heartbeats, read every second, and the capacity
 * they add up to (each worker trains `concurrency` runs of up to `threads` threads).
 */
import type { Redis } from 'ioredis';
import { keys, type Heartbeat } from './wire.ts';

const POLL_MS = 1000;

export class WorkersWatch {
  private current: Heartbeat[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly redis: Redis, private readonly onError: (e: Error) => void) {}

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get workers(): Heartbeat[] {
    return this.current;
  }

  get threads(): number {
    return this.current.reduce((n, w) => n + w.concurrency * w.threads, 0);
  }

  /** the kernel sets the workers have, most capacity first */
  kernelSets(): string[] {
    const by = new Map<string, number>();
    for (const w of this.current) by.set(w.kernelSet, (by.get(w.kernelSet) ?? 0) + w.concurrency * w.threads);
    return [...by.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private async poll(): Promise<void> {
    // a command waits while the connection is down; one poll at a time
    if (this.polling) return;
    this.polling = true;
    try {
      const live = await readWorkers(this.redis);
      const before = this.threads;
      this.current = live;
      if (this.threads !== before) for (const l of this.listeners) l();
    } catch (e) {
      this.onError(e as Error);
    } finally {
      this.polling = false;
    }
  }

  private polling = false;
}

/** The workers whose heartbeat has not expired, by name; those that expired leave the set. */
export async function readWorkers(redis: Redis): Promise<Heartbeat[]> {
  const ids = await redis.smembers(keys.workers);
  const beats = ids.length ? await redis.mget(ids.map((id) => keys.worker(id))) : [];
  const live: Heartbeat[] = [];
  const gone: string[] = [];
  ids.forEach((id, i) => {
    const raw = beats[i];
    if (raw === null) gone.push(id);
    else live.push(JSON.parse(raw) as Heartbeat);
  });
  if (gone.length) await redis.srem(keys.workers, ...gone);
  return live.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
