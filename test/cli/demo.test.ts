// rnn-lab demo: the app's demo experiment (DEMO_SPEC) in the CLI's database, trained through the
// lab's pool with the progress of experiment run, then each run's last evaluation.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_EXPERIMENT_NAME, Lab } from '../../src-main/lab/lab.ts';
import { type Json, removeSandboxes, sandbox, type Sandbox, waitFor, within } from './cli-helpers.ts';

afterAll(removeSandboxes);

/** The demo as the app makes it in a new database: its experiment id, spec and runs' cells and steps. */
async function appDemo(db: string): Promise<{ id: number; spec: unknown; runs: [string, number][] }> {
  const lab = Lab.open({ db });
  try {
    const id = lab.ensureDemo()!;
    const { spec, runs } = lab.experiment(id);
    return { id, spec, runs: runs.map((r) => [r.cell, r.steps]) };
  } finally {
    await lab.close();
  }
}

/** the demo's runs as the database holds them, or none while the file is still being made */
function demoRuns(s: Sandbox): { cell: string; status: string; step: number; steps: number }[] {
  if (!existsSync(s.db)) return [];
  try {
    return s.read((db) => db.prepare('SELECT cell, status, step, steps FROM runs ORDER BY id').all()) as Json[];
  } catch {
    return [];
  }
}

describe('rnn-lab demo', () => {
  it("makes the app's demo experiment in a new database and trains it with progress; Ctrl-C pauses it", async () => {
    const s = sandbox('demo-new');
    const child = s.spawn('demo', '--workers', 2);
    await waitFor('a demo run at step 10', () => demoRuns(s).some((r) => r.step >= 10), 30_000);
    child.child.kill('SIGINT');
    const r = await within(child, 10_000);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('pausing (writing checkpoints)');
    const experiments = s.read((db) => db.prepare('SELECT id, name, corpus_id AS corpusId, spec FROM experiments').all()) as Json[];
    expect(experiments.map((e) => e.name)).toEqual([DEMO_EXPERIMENT_NAME]);
    // the same experiment as the app's
    const app = await appDemo(sandbox('demo-ref').db);
    expect(JSON.parse(experiments[0].spec)).toEqual(app.spec);
    const corpus = s.read((db) => db.prepare('SELECT name, kind, task FROM corpora WHERE id = ?').get(experiments[0].corpusId)) as Json;
    expect(corpus.kind).toBe('task');
    expect(JSON.parse(corpus.task)).toMatchObject({ name: 'recall', params: { lag: 20 } });
    const runs = demoRuns(s);
    expect(runs.map((x) => [x.cell, x.steps])).toEqual(app.runs);
    expect(runs.map((x) => x.status)).toEqual(app.runs.map(() => 'paused'));
    // what experiment run prints: the experiment, a progress line per run, how to resume
    expect(r.stdout).toContain(`experiment ${experiments[0].id} "${DEMO_EXPERIMENT_NAME}" on corpus "${corpus.name}", in ${s.db}\ntraining ${app.runs.length} runs on 2 worker(s)\n`);
    for (const [c] of app.runs) expect(r.stdout).toMatch(new RegExp(`^#\\d+ +${c} seed 1 +\\[[#-]{20}\\] +\\d+% `, 'm'));
    expect(r.stdout).toContain(`\npaused: resume with ${app.runs.map((_, i) => `rnn-lab run resume ${i + 1}`).join(' ; ')}\n`);
    expect(r.stdout).toContain("each run's last evaluation on the validation text");
  });

  it('trains what is left of the demo the app made, then shows its results without training again', async () => {
    const s = sandbox('demo-app');
    // as the app opens a new database: the demo, ready but not started
    const app = await appDemo(s.db);
    // the demo's 3000 steps, cut to 60 so the test is quick (one evaluation, at the end)
    const conn = new Database(s.db);
    conn.prepare("UPDATE runs SET steps = 60, config = json_set(config, '$.train.steps', 60)").run();
    conn.close();

    const trained = await s.json('demo');
    expect(trained.id).toBe(app.id);
    expect(trained.runs.map((r: Json) => [r.cell, r.status, r.step])).toEqual(app.runs.map(([c]) => [c, 'completed', 60]));
    for (const e of trained.evals) {
      expect(e).toMatchObject({ step: 60, valLoss: expect.any(Number), accuracy: expect.any(Number) });
      // the recall task marks the letters that need memory
      expect(e.longRangeAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.longRangeAccuracy).toBeLessThanOrEqual(1);
    }

    const shown = await s.ok('demo');
    expect(shown.stdout).toContain('trained already; its results:\n');
    expect(shown.stdout).not.toMatch(/\[[#-]{20}\]/);
    for (const [i, run] of trained.runs.entries()) {
      const e = trained.evals[i];
      expect(shown.stdout).toMatch(new RegExp(`^ +${run.id}  ${run.cell} +seed ${run.seed} +completed +step +60/60 +best val ${run.bestValLoss.toFixed(4)}`, 'm'));
      expect(shown.stdout).toContain(`  step 60: val ${e.valLoss.toFixed(4)} nats, ${e.bitsPerChar.toFixed(4)} bits/char, accuracy ${(100 * e.accuracy).toFixed(1)}%, long-range ${(100 * e.longRangeAccuracy).toFixed(1)}%\n`);
    }
    expect((await s.json('experiment', 'list')).experiments).toHaveLength(1);
  });

  it('refuses a database that has other things but not the demo', async () => {
    const s = sandbox('demo-none');
    await s.json('corpus', 'task', 'reber');
    await s.fails(['demo'], /has no demo experiment: the lab makes it only in a new database; give another with --db/, 1);
    expect((await s.json('experiment', 'list')).experiments).toEqual([]);
  });
});
