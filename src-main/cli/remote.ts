/** The --redis option of the commands that train (experiment run, serve): where their runs go. */
import type { RemoteOptions } from '../lab/lab.ts';
import type { Io } from './command.ts';

export const REDIS_USAGE = '[--redis URL [--insecure]]';
export const REDIS_NOTE = '--redis URL: train on `rnn-lab worker` processes through Redis (RNN_LAB_REDIS is the default); --insecure allows redis:// to another machine without a password';
export const REDIS_OPTIONS = { redis: { type: 'string' as const }, insecure: { type: 'boolean' as const, default: false } };

/** The lab's remote option from --redis (or RNN_LAB_REDIS) for a command that has it; a lost connection is said on stderr. */
export function remoteOption(values: Record<string, string | boolean | undefined>, io: Io): { remote?: RemoteOptions } {
  // parseArgs leaves out options that were not given, but fills in defaults: insecure's default says
  // the command has the options, so RNN_LAB_REDIS applies even without --redis
  if (!('insecure' in values)) return {};
  const url = (values.redis as string | undefined) ?? process.env.RNN_LAB_REDIS;
  if (!url) return {};
  return {
    remote: {
      url,
      insecure: values.insecure === true,
      onConnection: (error) => io.err(error === null
        ? 'redis: connected again\n'
        : `redis: ${error}; runs on remote workers go on, and what they report waits in Redis until it is back\n`),
    },
  };
}
