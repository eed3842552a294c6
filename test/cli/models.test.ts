// The rnn-lab command with imported models: model import / list, generate --model and
// experiment create --init-from, through the built CLI against a real database file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src-worker/engine/safetensors.ts';
import { repoRoot } from '../helpers.ts';

const BIN = resolve(repoRoot, 'bin/rnn-lab.mjs');
const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-cli-models-'));
const db = join(dir, 'lab.db');
const env = { ...process.env };
delete env.RNN_LAB_DB;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }

function cli(...args: (string | number)[]): Promise<Result> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args.map(String), '--db', db], { cwd: dir, env }, (error, stdout, stderr) => {
      res({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON from the command */
async function json(...args: (string | number)[]): Promise<any> {
  const r = await cli(...args, '--json');
  expect(r.code, `rnn-lab ${args.join(' ')}:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

const file = (name: string, content: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const TINY = ['--hidden', 8, '--seq', 8, '--batch', 4, '--eval-every', 10, '--checkpoint-every', 10, '--sample-every', 0];

describe('rnn-lab model import / list, generate --model, experiment create --init-from', () => {
  it('stores a model, generates from it and trains on from it', async () => {
    const text = 'a quick brown fox jumps over the lazy dog. '.repeat(40);
    const corpus = (await json('corpus', 'import', file('fox.txt', text))).corpus;
    const created = await json('experiment', 'create', '--corpus', corpus.id, '--cells', 'gru-reset-after', '--steps', 20, ...TINY);
    await json('experiment', 'run', created.id);
    const run = created.runs[0];
    const exported = join(dir, 'fox.safetensors');
    await json('model', 'export', run.id, '--out', exported, '--checkpoint', 'last');

    // our file: stored once, with its id
    const a = await json('model', 'import', exported, '--name', 'fox gru');
    expect(a).toMatchObject({ id: expect.any(Number), existing: false, config: { cell: 'gru-reset-after', hidden: 8 }, params: run.params, vocab: corpus.vocab, provenance: { run: run.id } });
    expect(await json('model', 'import', exported)).toMatchObject({ id: a.id, existing: true });
    const plain = await cli('model', 'import', exported);
    expect(plain.stdout).toMatch(new RegExp(`^already imported: model ${a.id} "fox gru", a gru-reset-after model, 1 layer\\(s\\) of 8`));

    // a PyTorch state_dict without our metadata needs its vocabulary (a JSON list)
    const { tensors } = readSafetensors(readFileSync(exported));
    const torch = file('torch.safetensors', writeSafetensors([...tensors].map(([name, t]) => ({ name, shape: t.shape, data: Float32Array.from(t.data) }))));
    const refused = await cli('model', 'import', torch);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rnn-lab model import: not an RNN Lab model file .*a PyTorch state_dict can be imported with its vocabulary/);
    const vocabFile = file('vocab.json', JSON.stringify(corpus.vocab));
    const b = await json('model', 'import', torch, '--vocab', vocabFile);
    expect(b).toMatchObject({ existing: false, config: a.config, vocab: corpus.vocab });
    expect(b.id).not.toBe(a.id);

    const list = await json('model', 'list');
    expect(list.models.map((m: any) => [m.id, m.name, m.format])).toEqual([[a.id, 'fox gru', 'rnn-lab'], [b.id, 'torch', 'pytorch']]);
    expect((await cli('model', 'list')).stdout).toContain('fox gru');

    // generate --model writes what the run it came from writes
    const fromRun = await json('generate', run.id, '--length', 50, '--prime', 'the ', '--seed', 4);
    expect(await json('generate', '--model', a.id, '--length', 50, '--prime', 'the ', '--seed', 4)).toEqual(fromRun);
    expect(await json('generate', '--model', b.id, '--length', 50, '--prime', 'the ', '--seed', 4)).toEqual(fromRun);
    const both = await cli('generate', run.id, '--model', a.id);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/give a RUN id or --model MODEL/);
    expect((await cli('generate')).code).toBe(1);

    // experiment create --init-from: the model's cell by default, its size over --hidden
    const cont = await json('experiment', 'create', '--corpus', corpus.id, '--init-from', b.id, '--steps', 10, ...TINY, '--hidden', 32);
    expect(cont.runs.map((r: any) => [r.cell, r.config.model.hidden])).toEqual([['gru-reset-after', 8]]);
    expect(cont.experiment.spec.initFrom).toEqual({ modelId: b.id });
    const done = await json('experiment', 'run', cont.id);
    expect(done.runs[0].status).toBe('completed');
    const first = (await json('run', 'show', cont.runs[0].id)).run;
    expect(first.step).toBe(10);

    // another corpus's vocabulary is refused with the difference
    const other = (await json('corpus', 'import', file('other.txt', 'QQQ zzz yyy xxx. '.repeat(80)))).corpus;
    const bad = await cli('experiment', 'create', '--corpus', other.id, '--init-from', a.id, ...TINY);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot continue training on corpus "other": the vocabularies differ \(the corpus has "Q", which the model does not; the model has "a", .*, which the corpus does not\)/);
    const cell = await cli('experiment', 'create', '--corpus', corpus.id, '--init-from', a.id, '--cells', 'lstm', ...TINY);
    expect(cell.stderr).toMatch(/must use its cell, gru-reset-after; got lstm/);

    // a model an experiment starts from stays; others can go
    expect((await cli('model', 'rm', b.id)).stderr).toMatch(/experiment \d+/);
    expect(await json('model', 'rm', a.id)).toEqual({ deleted: a.id });
  });
});
