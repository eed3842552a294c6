/**
 * Reads the event streams of the runs the lab follows, all of them through one blocking XREAD on a
 * connection of its own, and hands each run's events over in order. A run followed again after a
 * restart of the lab is read from the start of its stream: every attempt in it begins with its
 * 'attempt' event, which drops what was recorded after its first step, so reading a stream twice
 * records what reading it once does.
 */
import type { Redis } from 'ioredis';
import { keys, type StreamEvent } from './wire.ts';

/** ms an XREAD waits for news before it looks again at which streams to read */
const BLOCK_MS = 1000;
const BATCH = 200;

export interface Follower {
  /** handles one event; awaited before the next of the same run */
  onEvent(ev: StreamEvent): Promise<void>;
  /** called once the stream has nothing more to read after `drain` was asked for */
  onDrained(): void;
}

export class StreamReader {
  private readonly followed = new Map<number, { last: string; follower: Follower; drain: boolean }>();
  private running = false;
  private clientId: number | null = null;

  constructor(
    private readonly reader: Redis,
    private readonly control: Redis,
    private readonly onError: (e: Error) => void,
  ) {}

  follow(runId: number, follower: Follower): void {
    this.followed.set(runId, { last: '0', follower, drain: false });
    this.wake();
    if (!this.running) void this.loop();
  }

  /** Reads what is left of a run's stream, then calls its onDrained and stops following it. */
  drain(runId: number): void {
    const f = this.followed.get(runId);
    if (!f) return;
    f.drain = true;
    this.wake();
  }

  unfollow(runId: number): void {
    this.followed.delete(runId);
  }

  stop(): void {
    this.followed.clear();
    this.wake();
  }

  /** Ends a blocking XREAD early, so a newly followed stream is read at once. */
  private wake(): void {
    if (this.clientId !== null) void this.control.client('UNBLOCK', this.clientId).catch(() => undefined);
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      this.clientId ??= Number(await this.reader.client('ID'));
      while (this.followed.size > 0) {
        const ids = [...this.followed.keys()];
        const anyDrain = ids.some((id) => this.followed.get(id)!.drain);
        const args = [...ids.map((id) => keys.events(id)), ...ids.map((id) => this.followed.get(id)!.last)];
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = anyDrain
            ? ((await this.reader.xread('COUNT', BATCH, 'STREAMS', ...args)) as typeof reply)
            : ((await this.reader.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', ...args)) as typeof reply);
        } catch (e) {
          // UNBLOCK answers a blocked read with null, not an error; anything else is the connection's
          this.onError(e as Error);
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        const got = new Set<number>();
        for (const [key, entries] of reply ?? []) {
          const runId = Number(key.split(':')[2]);
          for (const [entryId, fields] of entries) {
            const f = this.followed.get(runId);
            if (!f) break;
            f.last = entryId;
            got.add(runId);
            await f.follower.onEvent(JSON.parse(fields[1]) as StreamEvent);
          }
        }
        for (const id of ids) {
          const f = this.followed.get(id);
          if (f?.drain && !got.has(id)) {
            this.followed.delete(id);
            f.follower.onDrained();
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
