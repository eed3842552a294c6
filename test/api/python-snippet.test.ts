// The Python snippet of the model export dialog, run for real: for rnn, lstm and gru-reset-after
// (one-hot and embedding input, 2 layers) a small model is saved with saveModel, its snippet is
// executed by Debian's PyTorch (/usr/bin/python3), and the loaded torch.nn modules' mean
// cross-entropy on a fixed sequence must equal the engine's to 1e-5 relative. All cases run in one
// Python process (importing torch takes a few seconds); the test is skipped, saying so, when
// `import torch` fails there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonSnippet } from '../../src-main/api/python-snippet.ts';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import { modelConfig } from '../../src-worker/engine/config.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { saveModel } from '../../src-worker/engine/model-file.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

const PYTHON = '/usr/bin/python3';
const VOCAB = ['T', 'h', 'e', ' ', 'a', 'b', '\n'];
const SEQUENCE = [0, 1, 2, 3, 4, 5, 6, 3, 2, 1, 0, 4, 4, 5, 3, 6, 2, 1, 3, 0, 5, 2];

/** Lines appended to the snippet: the mean cross-entropy of SEQUENCE through the loaded modules. */
const MEASURE = [
  `seq = torch.tensor([${SEQUENCE.join(', ')}])`,
  'with torch.no_grad():',
  '    logits = decoder(rnn(embed(seq[None, :-1]))[0])[0]',
  '    ce = torch.nn.functional.cross_entropy(logits, seq[1:]).item()',
].join('\n');

/** Runs each source in a fresh namespace, its own prints captured; prints [{ce, printed}] as JSON. */
const DRIVER = `
import contextlib, io, json, sys
results = []
for src in json.load(open(sys.argv[1], encoding="utf-8")):
    ns = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(src, ns)
    results.append({"ce": ns["ce"], "printed": out.getvalue()})
print(json.dumps(results))
`;

const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-snippet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function engineLoss(model: Model): number {
  const T = SEQUENCE.length - 1;
  const ws = model.workspace(T, 1);
  ws.inputs.set(SEQUENCE.slice(0, -1));
  ws.targets.set(SEQUENCE.slice(1));
  model.forward(naiveKernels, ws);
  let total = 0;
  for (let t = 0; t < T; t++) total += ws.nll[t];
  return total / T;
}

describe('pythonSnippet', () => {
  it('is null for the cells torch.nn has no module for', () => {
    for (const cell of ['lstm-peephole', 'gru'] as CellName[]) {
      expect(pythonSnippet(modelConfig({ cell, vocabSize: 7 }), 'm.safetensors')).toBeNull();
    }
  });

  it('names the file and builds the right modules', () => {
    const s = pythonSnippet(modelConfig({ cell: 'lstm', vocabSize: 65, hidden: 128, layers: 2, embedding: 16 }), 'run 3 lstm "best".safetensors')!;
    expect(s).toContain('open("run 3 lstm \\"best\\".safetensors", "rb")');
    expect(s).toContain('torch.nn.Embedding(65, 16)');
    expect(s).toContain('torch.nn.LSTM(input_size=16, hidden_size=128, num_layers=2, batch_first=True)');
    expect(s).toContain('torch.nn.Linear(128, 65)');
    expect(s).not.toMatch(/safetensors\.torch|from safetensors|import safetensors/);
    const oneHot = pythonSnippet(modelConfig({ cell: 'gru-reset-after', vocabSize: 9, hidden: 4 }), 'm.safetensors')!;
    expect(oneHot).toContain('one_hot(ids, 9)');
    expect(oneHot).toContain('torch.nn.GRU(input_size=9, hidden_size=4, num_layers=1, batch_first=True)');
  });

  it('loads into PyTorch and gives the engine\'s cross-entropy', (ctx) => {
    const cases: { name: string; loss: number; source: string }[] = [];
    let seed = 1;
    for (const cell of ['rnn', 'lstm', 'gru-reset-after'] as CellName[]) {
      for (const embedding of [0, 5]) {
        const model = new Model({ cell, vocabSize: VOCAB.length, hidden: 6, layers: 2, embedding });
        model.init(new Rng(seed++));
        const file = join(dir, `${cell}-e${embedding}.safetensors`);
        writeFileSync(file, saveModel(model, { vocab: VOCAB }));
        const snippet = pythonSnippet(model.config, file);
        expect(snippet).not.toBeNull();
        cases.push({ name: `${cell} E=${embedding}`, loss: engineLoss(model), source: `${snippet}\n${MEASURE}\n` });
      }
    }
    const input = join(dir, 'cases.json');
    writeFileSync(input, JSON.stringify(cases.map((c) => c.source)));
    const run = spawnSync(PYTHON, ['-c', DRIVER, input], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (run.error || /No module named 'torch'/.test(run.stderr)) {
      ctx.skip(`PyTorch is not importable by ${PYTHON}: ${run.error?.message ?? run.stderr.trim().split('\n').pop()}`);
      return;
    }
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { ce: number; printed: string }[];
    expect(results).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const { ce, printed } = results[i];
      expect(Math.abs(ce - c.loss) / c.loss, `${c.name}: torch ${ce}, engine ${c.loss}`).toBeLessThan(1e-5);
      // the snippet's own output: the five likeliest next characters after "The "
      expect(printed.trim().split('\n'), c.name).toHaveLength(5);
    });
  }, 30_000);
});
