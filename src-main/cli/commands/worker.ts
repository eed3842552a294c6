/** rnn-lab worker: this machine trains runs for a lab elsewhere, taken from Redis (src-main/remote). */
import { availableParallelism, hostname } from 'node:os';
import { LabError } from '../../lab/lab.ts';
import { parseRedisUrl } from '../../remote/redis-url.ts';
import { RemoteWorker } from '../../remote/remote-worker.ts';
import { str, wholeNumber } from '../args.ts';
import type { Command } from '../command.ts';
import { untilStopped } from '../signals.ts';

export const WORKER_COMMANDS: Command[] = [
  {
    name: 'worker',
    usage: '--redis URL [--concurrency N] [--threads T] [--name NAME] [--stall-seconds S] [--insecure]',
    summary: "train a lab's runs here, taken from Redis (the lab sends them with --redis URL)",
    notes: [
      '--redis redis://HOST:PORT, redis://:PASSWORD@HOST:PORT (Redis AUTH), rediss://... (TLS); RNN_LAB_REDIS is the default',
      'a plain redis:// URL to another machine needs a password, or --insecure on a network you trust',
      '--concurrency N: runs at once (default: one per core); --threads T: the most threads one run may take (default 1)',
      '--stall-seconds S: a worker silent this long (killed, cut off) has its runs taken over by another (default 30)',
      'Ctrl-C: runs in progress pause with a checkpoint; it opens no database',
    ],
    bare: true,
    options: {
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      name: { type: 'string' },
      'stall-seconds': { type: 'string' },
      insecure: { type: 'boolean', default: false },
    },
    async run(ctx) {
      const url = str(ctx, 'redis') ?? process.env.RNN_LAB_REDIS;
      if (!url) throw new LabError('bad-input', '--redis URL is required (or set RNN_LAB_REDIS), e.g. --redis redis://127.0.0.1:6379');
      const target = parseRedisUrl(url, { insecure: ctx.values.insecure === true });
      const concurrency = wholeNumber('--concurrency', str(ctx, 'concurrency') ?? String(availableParallelism()));
      const threads = wholeNumber('--threads', str(ctx, 'threads') ?? '1');
      const stallSeconds = wholeNumber('--stall-seconds', str(ctx, 'stall-seconds') ?? '30');
      const worker = new RemoteWorker(target, {
        name: str(ctx, 'name') ?? `${hostname()}-${process.pid}`,
        concurrency,
        threads,
        stallMs: stallSeconds * 1000,
        log: (line) => ctx.io.err(line + '\n'),
      });
      await untilStopped();
      ctx.io.err('stopping: pausing runs in progress (writing checkpoints)...\n');
      await worker.close();
      return undefined;
    },
  },
];
