/** rnn-lab's help, made from the commands' own declarations: all of them, one group, or one command. */
import type { Command } from './command.ts';

const WIDTH = 100;
const GLOBAL = '--db PATH or RNN_LAB_DB selects the database (--read-only: browse, change nothing); --json for machine output';

/** Words joined into lines of at most WIDTH characters; an option in brackets is never split. */
function wrap(text: string, first: string, rest: string): string[] {
  const words: string[] = [];
  let depth = 0;
  for (const part of text.split(' ').filter((w) => w !== '')) {
    if (depth > 0) words[words.length - 1] += ` ${part}`;
    else words.push(part);
    depth += (part.match(/\[/g)?.length ?? 0) - (part.match(/\]/g)?.length ?? 0);
  }
  const lines = [first];
  for (const w of words) {
    const last = lines.length - 1;
    if (lines[last] === (last === 0 ? first : rest)) lines[last] += w;
    else if (lines[last].length + 1 + w.length <= WIDTH) lines[last] += ` ${w}`;
    else lines.push(rest + w);
  }
  return lines;
}

/** Its name and usage, continued under its second word. */
function usageLines(c: Command, lead: string): string[] {
  return wrap(`${c.name} ${c.usage}`, lead, ' '.repeat(lead.length + c.name.split(' ')[0].length + 1));
}

/** Its usage, then under it (at `indent`) what it does and its notes. */
function entry(c: Command, lead: string, indent: string): string[] {
  return [...usageLines(c, lead), ...[c.summary, ...(c.notes ?? [])].flatMap((t) => wrap(t, indent, `${indent}  `))];
}

/** The usage of one command, as a usage error prints it. */
export function usageOf(c: Command): string {
  return usageLines(c, 'usage: rnn-lab ').join('\n') + '\n';
}

/** Every command (no words), a group's ('corpus') or one command's help ('corpus import'); null for no such thing. */
export function helpText(commands: Command[], words: string[]): string | null {
  const name = words.join(' ');
  const command = commands.find((c) => c.name === name);
  if (command) return `${entry(command, 'usage: rnn-lab ', '  ').join('\n')}\n  ${GLOBAL}\n`;
  const shown = words.length === 0 ? commands : words.length === 1 ? commands.filter((c) => c.name.startsWith(`${name} `)) : [];
  if (shown.length === 0) return null;
  const head = words.length === 0
    ? ['usage: rnn-lab COMMAND [options]', 'rnn-lab COMMAND --help or rnn-lab help COMMAND: its own help']
    : [`usage: rnn-lab ${name} COMMAND [options]`];
  const lines = [`${head[0]}      (${GLOBAL})`, ...head.slice(1).map((h) => `       ${h}`)];
  shown.forEach((c, i) => {
    if (i === 0 || c.name.split(' ')[0] !== shown[i - 1].name.split(' ')[0]) lines.push('');
    lines.push(...entry(c, '  ', '      '));
  });
  return lines.join('\n') + '\n';
}
