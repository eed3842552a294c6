// rnn-lab model import on hostile files and vocabularies: a one-line refusal naming the problem (no
// stack trace), nothing stored, and generate afterwards says there is no such model.
import { afterAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src-worker/engine/model-file.ts';
import { Model } from '../../src-worker/engine/model.ts';
import { Rng } from '../../src-worker/engine/rng.ts';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
import { removeSandboxes, sandbox } from './cli-helpers.ts';

afterAll(removeSandboxes);

const VOCAB = ['a', 'b', 'c', ' ', '\n', 'E'];
const model = new Model({ cell: 'gru-reset-after', vocabSize: VOCAB.length, hidden: 4 }, 'f32');
model.init(new Rng(1));
const ours = saveModel(model, { vocab: VOCAB });
const file = readSafetensors(ours);
const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
const withMetadata = (edit: Record<string, string>): Uint8Array => writeSafetensors(tensors, { ...Object.fromEntries(file.metadata), ...edit });

describe('rnn-lab model import refuses what the engine would reject later', () => {
  it('vocabularies: duplicate ids, "__proto__", multi-character entries, nesting past the limit; nothing is stored', async () => {
    const s = sandbox('hostile-models');
    const torch = s.file('torch.safetensors', writeSafetensors(tensors));
    const vocab = (name: string, json: string): string => s.file(name, json);
    await s.fails(['model', 'import', torch, '--vocab', vocab('dup.json', '{"E": 0, "a": 0, "b": 2, "c": 3, " ": 4, "\\n": 5}')],
      /^rnn-lab model import: vocabulary id 0 is given to both "E" and "a"; every id must have one character\n$/);
    await s.fails(['model', 'import', torch, '--vocab', vocab('proto.json', '{"__proto__": 0, "a": 1, "b": 2, "c": 3, " ": 4, "\\n": 5}')],
      /^rnn-lab model import: vocab entry 0 \("__proto__"\) must be one character \(one Unicode code point\), got 9\n$/);
    await s.fails(['model', 'import', torch, '--vocab', vocab('multi.json', '["ab", "b", "c", " ", "\\n", "E"]')],
      /^rnn-lab model import: vocab entry 0 \("ab"\) must be one character/);
    await s.fails(['model', 'import', torch, '--vocab', vocab('deep.json', `${'['.repeat(5000)}${']'.repeat(5000)}`)],
      /^rnn-lab model import: vocabulary file nests deeper than 64 levels\n$/);
    await s.fails(['model', 'import', s.file('multi.safetensors', withMetadata({ vocab: JSON.stringify(['ab', 'b', 'c', ' ', '\n', 'E']) }))],
      /^rnn-lab model import: vocab entry 0 \("ab"\) must be one character/);
    await s.fails(['model', 'import', s.file('deep.safetensors', withMetadata({ provenance: `${'{"a": '.repeat(5000)}1${'}'.repeat(5000)}` }))],
      /^rnn-lab model import: __metadata__ "provenance" nests deeper than 64 levels\n$/);
    expect((await s.json('model', 'list')).models).toEqual([]);
    await s.fails(['generate', '--model', 1, '--length', 5], /^rnn-lab generate: no model 1\n$/);
    // the same file with a good vocabulary imports and generates
    const good = await s.json('model', 'import', torch, '--vocab', vocab('good.json', JSON.stringify(VOCAB)));
    expect((await s.json('generate', '--model', good.id, '--prime', 'a', '--length', 5)).text).toHaveLength(5);
  });
});
