/**
 * `rnn-lab demo`: the built-in default. Trains a plain RNN, an LSTM and a GRU side by side on the
 * embedded Reber grammar, with the same data, seed and step budget, and shows the gap live: loss,
 * and accuracy on the one symbol that needs long-range memory.
 */
import { CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { evaluate } from '../../src-worker/engine/evaluate.ts';
import { createKernels } from '../../src-worker/engine/kernel-sets.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { Sampler } from '../../src-worker/engine/sample.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';
import { embeddedReber } from '../lab/tasks/reber.ts';

export interface DemoOptions {
  cells: CellName[];
  steps: number;
  hidden: number;
  seed: number;
  out: (line: string) => void;
}

export function runDemo(o: DemoOptions): void {
  for (const c of o.cells) if (!CELL_NAMES.includes(c)) throw new Error(`--cells: unknown cell ${c}; allowed: ${CELL_NAMES.join(', ')}`);
  const task = embeddedReber(3000, o.seed);
  const vocab = Vocab.fromText(task.text);
  const ids = vocab.encode(task.text);
  const split = Math.floor(ids.length * 0.9);
  const valid = ids.subarray(split);
  const longRange = task.longRange.subarray(split + 1); // position i of valid predicts valid[i + 1]
  const n = valid.length - 1;
  const correct = new Uint8Array(n);
  const trainers = o.cells.map((cell) => new Trainer({
    model: { cell, vocabSize: vocab.size, hidden: o.hidden, layers: 1 },
    train: { seqLen: 32, batch: 16, steps: o.steps, seed: o.seed, clip: 5, optimizer: { name: 'adam', lr: 0.01 } },
    data: ids.subarray(0, split),
    kernels: createKernels(),
  }));
  o.out(`Embedded Reber grammar: ${ids.length} symbols (${vocab.chars.join('')}), ${o.steps} steps of 16 x 32 for each cell, seed ${o.seed}.`);
  o.out(`"long-range" = accuracy on the symbol before each final E, which must repeat the string's second symbol.`);
  o.out('');
  o.out(`${'step'.padStart(6)}  ${o.cells.map((c) => c.padStart(26)).join('')}`);
  o.out(`${''.padStart(6)}  ${o.cells.map(() => 'val loss / long-range'.padStart(26)).join('')}`);
  const report = (step: number): void => {
    const cols = trainers.map((t) => {
      const r = evaluate(t.model, t.kernels, valid, { correct });
      let hits = 0, total = 0;
      for (let i = 0; i < n; i++) {
        if (longRange[i]) {
          total++;
          hits += correct[i];
        }
      }
      return `${r.loss.toFixed(3)} / ${((100 * hits) / total).toFixed(0).padStart(3)}%`.padStart(26);
    });
    o.out(`${String(step).padStart(6)}  ${cols.join('')}`);
  };
  const every = Math.max(1, Math.round(o.steps / 10));
  for (let step = 1; step <= o.steps; step++) {
    for (const t of trainers) t.trainStep();
    if (step % every === 0 || step === o.steps) report(step);
  }
  o.out('');
  for (const t of trainers) {
    const sampler = new Sampler(t.model, t.kernels, new Rng(o.seed), { temperature: 0.7 });
    sampler.feed(vocab.encode('B'));
    const ids = Array.from({ length: 60 }, () => sampler.next());
    o.out(`${t.model.config.cell.padEnd(16)} B${vocab.decode(ids)}`);
  }
}
