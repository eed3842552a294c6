// The model worker's diagnostics tasks, called as Piscina would call them (in this thread): each
// request kind reaches its engine function with the model file's weights and vocabulary.
import { describe, expect, it } from 'vitest';
import { baselines as engineBaselines } from '../../src-worker/engine/baselines.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { characterLosses } from '../../src-worker/engine/diagnostics/char-loss.ts';
import { naiveKernels } from '../../src-worker/engine/kernels.ts';
import { saveModel } from '../../src-worker/engine/model-file.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { baselines, diagnose } from '../../src-worker/model.worker.ts';

const text = 'She said "go (now)" and went.\nHe stayed.\n'.repeat(4);
const vocab = Vocab.fromText(text);
const ids = Uint16Array.from(vocab.encode(text));
const model = new Model({ cell: 'lstm', vocabSize: vocab.size, hidden: 6, layers: 2 });
model.init(new Rng(2));
const source = { kind: 'file', bytes: saveModel(model, { vocab: [...vocab.chars] }) } as const;

describe('diagnose task', () => {
  it('runs every kind of request', async () => {
    const flow = await diagnose({ source, ids: ids.buffer, request: { kind: 'gradientFlow', window: 10, streams: 2 } });
    expect(flow.kind === 'gradientFlow' && flow.flow.h.length).toBe(2);

    const cells = await diagnose({ source, ids: ids.buffer, request: { kind: 'cells', top: 3 } });
    if (cells.kind !== 'cells') throw new Error(cells.kind);
    expect(cells.trace.steps).toBe(ids.length);
    expect(Object.keys(cells.correlated)).toEqual(['linePosition', 'inQuotes', 'inBrackets', 'whitespace']);
    expect(cells.correlated.inQuotes.length).toBe(3);

    const sat = await diagnose({ source, ids: ids.buffer, request: { kind: 'saturation', bins: 10 } });
    expect(sat.kind === 'saturation' && sat.entries.map((e) => e.name).join('')).toBe('ifgohifgoh');

    const losses = await diagnose({ source, ids: ids.buffer, request: { kind: 'characterLosses', topK: 2 } });
    if (losses.kind !== 'characterLosses') throw new Error(losses.kind);
    // the file holds float32 weights, as this model does: the same losses to float32 rounding
    const direct = characterLosses(model, naiveKernels, ids, { topK: 2 });
    for (let i = 0; i < direct.nll.length; i++) expect(losses.losses.nll[i]).toBeCloseTo(direct.nll[i], 4);
    expect(losses.losses.topIds).toEqual(direct.topIds);
  });

  it('refuses an unknown request and a vocabulary of the wrong size', async () => {
    await expect(diagnose({ source, ids: ids.buffer, request: { kind: 'nope' } as never })).rejects.toThrow(/^request.kind: unknown diagnostic "nope"/);
    await expect(diagnose({ source, ids: ids.buffer, vocab: ['a', 'b'], request: { kind: 'cells' } })).rejects.toThrow(/^vocab: has 2 characters but the model has/);
  });
});

describe('baselines task', () => {
  it('scores the split as the engine does', async () => {
    const train = ids.slice(0, 120);
    const valid = ids.slice(120);
    const r = await baselines({ trainIds: train.buffer, validIds: valid.buffer, vocabSize: vocab.size, maxOrder: 3 });
    expect(r).toEqual(engineBaselines(train, valid, vocab.size, { maxOrder: 3 }));
  });
});
