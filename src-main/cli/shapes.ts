/** Shapes of command that several nouns share: a listing, and deleting one thing by its id. */
import type { Lab } from '../lab/lab.ts';
import { id } from './args.ts';
import type { Command } from './command.ts';

/** A command that lists things: a line each (or what to do when there are none), or { [key]: list } as JSON. */
export function listCommand<T>(c: { name: string; summary: string; key: string; empty: string; list(lab: Lab): T[]; line(item: T): string }): Command {
  return {
    name: c.name,
    usage: '',
    summary: c.summary,
    run(ctx) {
      const list = c.list(ctx.lab);
      if (!ctx.json) {
        if (list.length === 0) ctx.io.out(`${c.empty}\n`);
        for (const item of list) ctx.io.out(`${c.line(item)}\n`);
      }
      return { [c.key]: list };
    },
  };
}

/** A command that deletes one thing by its id: `deleted corpus 3`, or { deleted: 3 } as JSON. */
export function removeCommand(c: { name: string; what: string; arg: string; summary: string; remove(lab: Lab, id: number): void; also?: string }): Command {
  return {
    name: c.name,
    usage: c.arg,
    summary: c.summary,
    positionals: [c.arg.toLowerCase()],
    run(ctx) {
      c.remove(ctx.lab, id(ctx));
      if (!ctx.json) ctx.io.out(`deleted ${c.what} ${ctx.positionals[0]}${c.also ?? ''}\n`);
      return { deleted: id(ctx) };
    },
  };
}
