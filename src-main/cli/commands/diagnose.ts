/** rnn-lab diagnose: inside the cells (the gradient flow through time) and the losses to beat. */
import { id, str, wholeNumber, whichCheckpoint } from '../args.ts';
import type { Command } from '../command.ts';

export const DIAGNOSE_COMMANDS: Command[] = [
  {
    name: 'diagnose gradient-flow',
    usage: 'RUN [--checkpoint best|last] [--window T]',
    summary: "how much of the loss at a window's end reaches the hidden state k steps back",
    notes: ['on the validation text; default checkpoint last, window the run\'s sequence length'],
    positionals: ['run'],
    options: { checkpoint: { type: 'string', default: 'last' }, window: { type: 'string' } },
    async run(ctx) {
      const window = str(ctx, 'window');
      const r = await ctx.lab.gradientFlow(id(ctx), { checkpoint: whichCheckpoint(ctx), window: window === undefined ? undefined : wholeNumber('--window', window, 1) });
      if (!ctx.json) {
        const out = (t: string): void => ctx.io.out(t);
        out(`run ${r.runId} (${r.cell}), ${r.checkpoint} checkpoint at step ${r.step}: mean ||dL_T/dh_{T-k}|| over ${r.samples} windows of ${r.window} steps of the validation text\n`);
        out('L_T is the loss (nats) at the window\'s last character; k steps back from it');
        if (r.c) out('; c: the same through the cell state, h_{T-k} held fixed');
        out('\n');
        const columns = r.h.flatMap((_, l) => [`layer ${l + 1} h`, ...(r.c ? [`layer ${l + 1} c`] : [])]);
        out(`${'k'.padStart(4)}  ${columns.map((c) => c.padStart(12)).join('  ')}\n`);
        for (let k = 0; k <= r.maxLag; k++) {
          const values = r.h.flatMap((h, l) => [h[k], ...(r.c ? [r.c[l][k]] : [])]);
          out(`${String(k).padStart(4)}  ${values.map((x) => x.toExponential(3).padStart(12)).join('  ')}\n`);
        }
      }
      return r;
    },
  },
  {
    name: 'diagnose baselines',
    usage: 'CORPUS',
    summary: 'uniform, unigram and n-gram (n <= 5, Kneser-Ney) losses to beat',
    positionals: ['corpus'],
    async run(ctx) {
      const r = await ctx.lab.baselines(wholeNumber('CORPUS', ctx.positionals[0]));
      if (!ctx.json) {
        const out = (t: string): void => ctx.io.out(t);
        out(`corpus ${r.corpusId}, ${r.vocabSize} characters; nats per character on its validation text:\n`);
        out(`  uniform (ln V)         ${r.uniform.toFixed(4)}\n`);
        out(`  unigram                ${r.unigram.toFixed(4)}   (training-text entropy ${r.trainEntropy.toFixed(4)})\n`);
        for (const n of r.ngram.filter((x) => x.order > 1)) out(`  ${n.order}-gram, Kneser-Ney   ${n.loss.toFixed(4)}\n`);
      }
      return r;
    },
  },
];
