/** rnn-lab serve: the app in a browser (browser mode), on this lab's database. */
import { LabError } from '../../lab/lab.ts';
import { isLoopback } from '../../server/loopback.ts';
import { startServer } from '../../server/server.ts';
import { str, wholeNumber } from '../args.ts';
import type { Command } from '../command.ts';
import { untilStopped } from '../signals.ts';
import { REDIS_NOTE, REDIS_OPTIONS, REDIS_USAGE } from '../remote.ts';

export const SERVE_COMMANDS: Command[] = [
  {
    name: 'serve',
    usage: `[--host H] [--port P] [--workers N] ${REDIS_USAGE}`,
    summary: 'the app in a browser (browser mode): prints its URL with its access token',
    notes: ['--host other than 127.0.0.1 serves other machines: anyone with the token can use the lab', REDIS_NOTE],
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' }, workers: { type: 'string' }, ...REDIS_OPTIONS },
    async run(ctx) {
      const host = str(ctx, 'host')!;
      const port = wholeNumber('--port', str(ctx, 'port')!, 0);
      if (port > 65535) throw new LabError('bad-input', `--port must be at most 65535, got ${port}`);
      if (!isLoopback(host)) ctx.io.err(`warning: serving on ${host}, not only this machine: anyone who can reach it and has the URL's token can use this lab\n`);
      if (!ctx.lab.readOnly) ctx.lab.ensureDemo();
      const server = await startServer({ lab: ctx.lab, host, port });
      if (ctx.json) ctx.io.out(JSON.stringify({ url: server.url, port: server.port, token: server.token }) + '\n');
      else ctx.io.out(`RNN Lab is serving ${ctx.lab.database}\nopen ${server.url}\n(Ctrl-C stops; running runs pause with a checkpoint)\n`);
      await untilStopped();
      if (!ctx.json) ctx.io.err('\nstopping: pausing running runs (writing checkpoints)...\n');
      await server.close();
      await ctx.lab.close({ running: 'pause' });
      return undefined;
    },
  },
];
