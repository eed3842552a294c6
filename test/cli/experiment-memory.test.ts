// rnn-lab experiment create shows each run's memory and refuses a run that cannot fit, naming its
// size and the limit, with nothing written.
import { afterAll, describe, expect, it } from 'vitest';
import { englishCorpus, removeSandboxes, sandbox } from './cli-helpers.ts';

afterAll(removeSandboxes);

describe('rnn-lab experiment create and memory', () => {
  it('prints each run\'s memory, gives it in --json, and refuses the huge LSTM before writing anything', async () => {
    const s = sandbox('memory');
    const corpus = await englishCorpus(s);
    const small = ['experiment', 'create', '--corpus', corpus, '--cells', 'rnn,lstm', '--hidden', 16, '--seq', 8, '--batch', 4];
    const plain = await s.ok(...small);
    const lines = plain.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) expect(line).toMatch(/ {2}hidden 16 {2}memory \d+(\.\d+)? [KM]B$/);
    const json = await s.json(...small);
    expect(json.memory).toHaveLength(2);
    expect(json.memory[1]).toMatchObject({ bytes: expect.any(Number), weights: Math.ceil((4 * json.runs[1].params) / 16) * 16 });

    const before = s.read((db) => db.prepare('SELECT (SELECT COUNT(*) FROM experiments) AS e, (SELECT COUNT(*) FROM runs) AS r').get());
    await s.fails(['experiment', 'create', '--corpus', corpus, '--cells', 'lstm', '--hidden', 8192, '--layers', 4, '--seq', 8, '--batch', 4],
      /^rnn-lab experiment create: memory: the lstm run of seed 1 needs [\d.]+ GB \(weights [\d.]+ GB, gradients .*\) but a run of 1 thread\(s\) may use [\d.]+ GB here \(50% of this machine's [\d.]+ GB over \d+ worker\(s\)\); make it smaller\n$/);
    expect(s.read((db) => db.prepare('SELECT (SELECT COUNT(*) FROM experiments) AS e, (SELECT COUNT(*) FROM runs) AS r').get())).toEqual(before);
  });
});
