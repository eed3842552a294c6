// rnn-lab experiment: budgets, training all five cells and everything done with their runs after, scheduling on workers and threads, a diverging run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { chars, EN_EVAL, englishCorpus, type Json, removeSandboxes, sandbox, TINY } from './cli-helpers.ts';

afterAll(removeSandboxes);

describe('rnn-lab experiment', () => {
  const ALL = 'rnn,lstm,lstm-peephole,gru,gru-reset-after';

  it('sizes every cell to the parameter budget and names the field of a bad value', async () => {
    const s = sandbox('create');
    const corpus = await englishCorpus(s);
    for (const budget of [4000, 12000]) {
      const r = await s.json('experiment', 'create', '--corpus', corpus, '--cells', ALL, '--params', budget, '--seq', 8, '--batch', 4, '--steps', 10);
      expect(r.runs.map((x: Json) => x.cell)).toEqual(ALL.split(','));
      for (const run of r.runs) {
        expect(Math.abs(run.params - budget) / budget, `${run.cell}: ${run.params}`).toBeLessThanOrEqual(0.02);
        expect(run.status).toBe('not-started');
      }
      // the cells got different hidden sizes to land on the same budget
      expect(new Set(r.runs.map((x: Json) => x.config.model.hidden)).size).toBeGreaterThan(1);
    }
    const base = ['experiment', 'create', '--corpus', corpus];
    await s.fails([...base, '--cells', 'foo'], /cells: unknown cell "foo"; allowed: rnn, lstm/, 1);
    await s.fails([...base, '--cells', 'lstm,lstm'], /cells: each cell may appear once/, 1);
    await s.fails([...base, '--hidden', 0], /--hidden must be a whole number >= 1, got "0"/, 1);
    await s.fails([...base, '--lr', 'nan'], /--lr must be a number, got "nan"/, 1);
    await s.fails([...base, '--lr', '0'], /optimizer\.lr: must be a finite number in \(0, 10\]/, 1);
    await s.fails([...base, '--steps', 0], /steps: must be a whole number from 1/, 1);
    await s.fails([...base, '--seq', 2000], /seqLen: the training part of "en" has \d+ characters/, 1);
    await s.fails([...base, '--hidden', 8, '--params', 4000], /give --hidden .* or --params .*not both/, 1);
    await s.fails([...base, '--params', 10], /params: no hidden size gives rnn within 2% of 10 parameters/, 1);
    await s.fails([...base, '--optimizer', 'lbfgs'], /optimizer\.name: unknown optimizer "lbfgs"/, 1);
    await s.fails(['experiment', 'create', '--corpus', 42, '--cells', 'rnn'], /no corpus 42/, 1);
    expect((await s.json('experiment', 'list')).experiments).toHaveLength(2);
  });

  it('trains all five cells, then evaluates, generates and exports models and metrics', async () => {
    const s = sandbox('full');
    const corpus = await englishCorpus(s);
    const evalFile = s.file('eval.txt', EN_EVAL);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', ALL, ...TINY, '--sample-every', 15, '--name', 'all five');
    const { runs } = await s.json('experiment', 'run', exp.id);
    expect(runs.map((r: Json) => [r.cell, r.status, r.step, r.error])).toEqual(ALL.split(',').map((c) => [c, 'completed', 30, null]));
    for (const r of runs) expect(r.bestValLoss).toBeGreaterThan(0);
    // nothing left to run
    await s.fails(['experiment', 'run', exp.id], /has no run left to train/, 1);

    const lstm = runs.find((r: Json) => r.cell === 'lstm');
    const shown = await s.json('run', 'show', lstm.id);
    expect(shown.run).toMatchObject({ id: lstm.id, status: 'completed', step: 30, steps: 30, ownerPid: null, control: null });
    expect(shown.evals.map((e: Json) => e.step)).toEqual([10, 20, 30]);
    // one at every evaluation (10, 20, 30) and every 15 steps besides
    expect(shown.samples.map((x: Json) => x.step)).toEqual([10, 15, 20, 30]);
    expect(shown.run.bestValLoss).toBe(Math.min(...shown.evals.map((e: Json) => e.valLoss)));

    const ev = await s.json('eval', lstm.id, '--text', evalFile);
    expect(Object.keys(ev).sort()).toEqual(['accuracy', 'bits_per_char', 'chars', 'loss', 'perplexity']);
    expect(ev.loss).toBeGreaterThan(0);
    expect(ev.loss).toBeLessThan(Math.log(28) + 1);
    expect(ev.bits_per_char).toBeCloseTo(ev.loss / Math.LN2, 10);
    expect(ev.perplexity).toBeCloseTo(Math.exp(ev.loss), 8);
    expect(ev.chars).toBe(EN_EVAL.length - 1); // every character but the first is predicted
    // evaluating is deterministic
    expect(await s.json('eval', lstm.id, '--text', evalFile)).toEqual(ev);

    // inside the cells: the gradient flow over the run's window, and the baselines to beat
    const flow = await s.json('diagnose', 'gradient-flow', lstm.id, '--window', 6);
    expect(flow).toMatchObject({ runId: lstm.id, cell: 'lstm', checkpoint: 'last', step: 30, window: 6, maxLag: 6 });
    expect(flow.h[0]).toHaveLength(7);
    const flowText = await s.ok('diagnose', 'gradient-flow', lstm.id, '--window', 6);
    const lags = flowText.stdout.split('\n').filter((l: string) => /^\s+\d+\s/.test(l));
    expect(lags.map((l: string) => Number(l.trim().split(/\s+/)[0]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Number(lags[6].trim().split(/\s+/)[1])).toBeCloseTo(flow.h[0][6], 3);
    const base = await s.json('diagnose', 'baselines', corpus);
    expect(base.uniform).toBeCloseTo(Math.log(base.vocabSize), 12);
    expect(base.ngram.map((n: Json) => n.order)).toEqual([1, 2, 3, 4, 5]);
    expect((await s.ok('diagnose', 'baselines', corpus)).stdout).toContain('5-gram, Kneser-Ney');

    const gen = await s.json('generate', lstm.id, '--length', 40, '--prime', 'the ', '--temperature', 0.5);
    expect(gen.prime).toBe('the ');
    expect(chars(gen.text)).toHaveLength(40);
    // the text output streams the prime and then the text
    const plain = await s.ok('generate', lstm.id, '--length', 40, '--prime', 'the ', '--temperature', 0.5);
    expect(plain.stdout).toBe('the ' + gen.text + '\n');

    // model export: safetensors with PyTorch names
    const out = join(s.dir, 'lstm.safetensors');
    expect(await s.json('model', 'export', lstm.id, '--out', out, '--checkpoint', 'last')).toMatchObject({ out });
    const bytes = readFileSync(out);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    expect(8 + headerLen).toBeLessThan(bytes.length);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
    const H = lstm.config.model.hidden;
    const V = 28;
    expect(header['rnn.weight_ih_l0']).toMatchObject({ dtype: 'F32', shape: [4 * H, V] });
    expect(header['rnn.weight_hh_l0']).toMatchObject({ dtype: 'F32', shape: [4 * H, H] });
    expect(header['decoder.weight']).toMatchObject({ dtype: 'F32', shape: [V, H] });
    expect(header.__metadata__).toBeDefined();
    const ends = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, t]) => (t as Json).data_offsets[1]);
    expect(Math.max(...ends)).toBe(bytes.length - 8 - headerLen);

    const imported = await s.json('model', 'import', out);
    expect(imported.config).toMatchObject({ cell: 'lstm', hidden: H, layers: 1, vocabSize: V });
    expect(imported.params).toBe(lstm.params);
    expect(imported.vocab).toEqual((await s.json('corpus', 'show', corpus)).corpus.vocab);
    expect(imported.provenance).toMatchObject({ run: lstm.id, steps: 30, seed: 1 });
    // every cell exports and imports
    for (const r of runs) {
      const f = join(s.dir, `${r.cell}.safetensors`);
      await s.ok('model', 'export', r.id, '--out', f);
      expect((await s.json('model', 'import', f)).config.cell).toBe(r.cell);
    }
    await s.fails(['model', 'import', evalFile], /not a safetensors file/, 1);

    // metrics
    const csvPath = join(s.dir, 'm.csv');
    expect(await s.json('metrics', 'export', exp.id, '--out', csvPath)).toEqual({ out: csvPath, rows: 5 * 30 });
    const lines = readFileSync(csvPath, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('experiment,run,cell,seed,step,chars_seen,wall_seconds,train_loss,val_loss,bits_per_char,grad_norm,lr');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(5 * 30);
    expect(new Set(rows.map((r) => `${r[1]}/${r[4]}`)).size).toBe(5 * 30);
    for (const r of runs) {
      const mine = rows.filter((x) => Number(x[1]) === r.id);
      expect(mine.map((x) => Number(x[4]))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(mine.every((x) => x[0] === 'all five' && x[2] === r.cell && x[3] === '1')).toBe(true);
      // val_loss only where an evaluation happened
      expect(mine.filter((x) => x[8] !== '').map((x) => Number(x[4]))).toEqual([10, 20, 30]);
      expect(mine.every((x) => Number.isFinite(Number(x[7])) && Number(x[10]) > 0 && Number(x[11]) === 0.002)).toBe(true);
      expect(mine.map((x) => Number(x[5]))).toEqual(mine.map((x) => Number(x[4]) * 8 * 4));
    }
    const jsonPath = join(s.dir, 'm.json');
    expect(await s.json('metrics', 'export', exp.id, '--out', jsonPath)).toEqual({ out: jsonPath, rows: 150 });
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(doc.experiment).toMatchObject({ id: exp.id, name: 'all five' });
    expect(doc.runs.map((r: Json) => [r.cell, r.metrics.length])).toEqual(ALL.split(',').map((c) => [c, 30]));
    // the configs travel with the numbers: the experiment's spec and every run's resolved config
    expect(doc.spec).toMatchObject({ cells: ALL.split(','), seeds: 1, budget: { mode: 'hidden', hidden: 12 } });
    for (const r of doc.runs) {
      expect(r.config.model).toMatchObject({ cell: r.cell, hidden: 12, vocabSize: expect.any(Number) });
      expect(r.config.train).toMatchObject({ seqLen: 8, batch: 4, steps: 30, seed: 1, optimizer: { lr: 0.002 } });
    }
    await s.fails(['metrics', 'export', exp.id, '--out', join(s.dir, 'm.xlsx')], /--out FILE\.csv or FILE\.json is required/, 1);
  });
});

describe('rnn-lab experiment run', () => {
  it('trains 8 runs on 2 workers, never more than 2 at a time', async () => {
    const s = sandbox('eight');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,lstm,gru,gru-reset-after', '--seeds', 2, ...TINY);
    expect(exp.runs).toHaveLength(8);
    const { runs } = await s.json('experiment', 'run', exp.id, '--workers', 2);
    expect(runs.map((r: Json) => [r.cell, r.seed, r.status, r.step])).toEqual(
      ['rnn', 'lstm', 'gru', 'gru-reset-after'].flatMap((c) => [[c, 1, 'completed', 30], [c, 2, 'completed', 30]]),
    );
    // seeds differ: the two runs of a cell do not train identically
    const first = (runId: number) => s.read((db) => (db.prepare('SELECT train_loss FROM metrics WHERE run_id = ? AND step = 1').get(runId) as Json).train_loss);
    expect(first(runs[0].id)).not.toBe(first(runs[1].id));
    const spans: [number, number][] = runs.map((r: Json) => [r.startedAt, r.finishedAt]);
    for (const [t] of spans) expect(spans.filter(([a, b]) => a <= t && t < b).length).toBeLessThanOrEqual(2);
  });

  it('trains two-thread runs one at a time on 2 workers, and refuses to start them on 1', async () => {
    const s = sandbox('threads');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,gru', '--threads', 2, ...TINY);
    const { runs } = await s.json('experiment', 'run', exp.id, '--workers', 2);
    expect(runs.map((r: Json) => [r.cell, r.status, r.step, r.config.train.threads])).toEqual([['rnn', 'completed', 30, 2], ['gru', 'completed', 30, 2]]);
    const [a, b] = runs.map((r: Json) => [r.startedAt, r.finishedAt]);
    expect(a[1] <= b[0] || b[1] <= a[0]).toBe(true);
    const again = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn', '--threads', 2, ...TINY);
    await s.fails(['experiment', 'run', again.id, '--workers', 1], /needs 2 threads but this lab trains on 1; open it with more workers \(--workers 2\)/, 1);
    expect((await s.json('experiment', 'show', again.id)).runs[0].status).toBe('not-started');
  });

  it('a diverging run fails with its step while the others complete', async () => {
    const s = sandbox('diverge');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,lstm,gru', '--hidden', 16, '--seq', 8, '--batch', 4, '--steps', 60, '--eval-every', 20, '--checkpoint-every', 20);
    const rnn = exp.runs[0].id;
    // The command line cannot give one cell its own settings (the Lab API's spec.overrides can),
    // and plain SGD at the largest accepted lr (10) with no clipping stays finite. So we edit the
    // rnn run's resolved config in the database before it runs: SGD, lr 10, no clipping, and weight
    // decay 1, which makes each update w <- w - 10 (g + w) = -9 w - 10 g, so the weights grow ninefold
    // a step until float32 overflows. The config stays within what trainConfig accepts.
    const conn = new Database(s.db);
    conn.prepare(`UPDATE runs SET config = json_set(config, '$.train.optimizer.name', 'sgd', '$.train.optimizer.lr', 10,
      '$.train.optimizer.weightDecay', 1, '$.train.clip', 0) WHERE id = ?`).run(rnn);
    conn.close();
    // the others complete; the command says which run failed and exits 1
    const r = await s.cli('experiment', 'run', exp.id);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`run ${rnn} \\(rnn seed 1\\) failed: diverged at step \\d+: `));
    const { runs } = await s.json('experiment', 'show', exp.id);
    expect(runs[0]).toMatchObject({ cell: 'rnn', status: 'failed', error: expect.stringMatching(/^diverged at step (\d+): (loss is (NaN|Infinity)|gradient norm is|the update made a weight non-finite)/) });
    const at = Number(/at step (\d+)/.exec(runs[0].error)![1]);
    expect(at).toBeGreaterThan(1);
    expect(at).toBeLessThan(60);
    expect(runs[0].finishedAt).not.toBeNull();
    expect(runs.slice(1).map((x: Json) => [x.cell, x.status, x.step, x.error])).toEqual([['lstm', 'completed', 60, null], ['gru', 'completed', 60, null]]);
    // a failed run cannot be resumed
    await s.fails(['run', 'resume', rnn], /is failed; only not-started, paused or interrupted/, 1);
  });
});
