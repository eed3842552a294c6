// rnn-lab run and runs that stop: killed, Ctrl-C, paused and cancelled from other processes, and resumed exactly. The runs are a few hundred steps long so there is time to interrupt them.
import { afterAll, describe, expect, it } from 'vitest';
import { EN_EVAL, englishCorpus, integrity, type Json, removeSandboxes, runStatuses, sandbox, type Sandbox, waitFor, within } from './cli-helpers.ts';

afterAll(removeSandboxes);

describe('rnn-lab runs that stop', () => {
  /** long enough (a few seconds) to interrupt */
  const LONG_STEPS = 1500;
  const LONG = ['--cells', 'lstm,gru', '--hidden', 64, '--seq', 16, '--batch', 8, '--steps', LONG_STEPS, '--eval-every', 20, '--checkpoint-every', 20, '--sample-every', 100];

  async function longExperiment(s: Sandbox): Promise<{ id: number; runIds: number[] }> {
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, ...LONG);
    return { id: exp.id, runIds: exp.runs.map((r: Json) => r.id) };
  }

  /** what must not depend on timing or interruptions: everything but wall-clock columns */
  const exactRecord = (s: Sandbox, runId: number) =>
    s.read((db) => ({
      run: db.prepare('SELECT cell, seed, status, step, steps, best_val_loss, error FROM runs WHERE id = ?').get(runId),
      metrics: db.prepare('SELECT step, chars_seen, train_loss, grad_norm, clipped, lr FROM metrics WHERE run_id = ? ORDER BY step').all(runId),
      evals: db.prepare('SELECT step, val_loss, bits_per_char, accuracy, chars FROM evals WHERE run_id = ? ORDER BY step').all(runId),
      samples: db.prepare('SELECT step, prime, temperature, text FROM samples WHERE run_id = ? ORDER BY step').all(runId),
      checkpoints: db.prepare('SELECT kind, step, val_loss FROM checkpoints WHERE run_id = ? ORDER BY kind').all(runId),
    }));

  it('a process killed with SIGKILL leaves interrupted runs that resume exactly as if nothing happened', async () => {
    const s = sandbox('crash');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    // both runs have written a checkpoint past the first one
    await waitFor('checkpoints at step 40', () => s.read((db) => (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE kind = 'last' AND step >= 40").get() as { n: number }).n) === 2, 30_000);
    child.child.kill('SIGKILL');
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');

    // as the dead process left it: 'running', owned by a pid that is gone; the file is sound
    const left = s.read((db) => db.prepare('SELECT id, status, step, owner_pid AS ownerPid FROM runs ORDER BY id').all()) as Json[];
    expect(left.map((r) => [r.id, r.status, r.ownerPid])).toEqual(runIds.map((r) => [r, 'running', child.child.pid]));
    for (const r of left) expect(r.step).toBeLessThan(LONG_STEPS);
    expect(integrity(s)).toBe('ok');
    // what was recorded up to each run's last checkpoint, wall-clock columns included: a resume
    // keeps these rows (it continues from the checkpoint) rather than training from step 0 again
    const upToCheckpoint = (runId: number) => s.read((db) => db.prepare(`SELECT m.step, m.wall_seconds FROM metrics m
      JOIN checkpoints c ON c.run_id = m.run_id AND c.kind = 'last' WHERE m.run_id = ? AND m.step <= c.step ORDER BY m.step`).all(runId));
    const kept = runIds.map(upToCheckpoint);
    for (const k of kept) expect(k.length).toBeGreaterThanOrEqual(40);

    // the next process marks them interrupted
    const shown = await s.json('experiment', 'show', id);
    expect(shown.runs.map((r: Json) => [r.id, r.status, r.ownerPid])).toEqual(runIds.map((r) => [r, 'interrupted', null]));
    for (const r of runIds) {
      const resumed = await s.json('run', 'resume', r);
      expect(resumed.run).toMatchObject({ id: r, status: 'completed', step: LONG_STEPS });
    }
    expect(integrity(s)).toBe('ok');
    for (const [i, r] of runIds.entries()) {
      const after = s.read((db) => db.prepare('SELECT step, wall_seconds FROM metrics WHERE run_id = ? ORDER BY step').all(r)) as Json[];
      expect(after.slice(0, kept[i].length)).toEqual(kept[i]);
      // training time keeps counting across the crash
      for (let k = 1; k < after.length; k++) expect(after[k].wall_seconds).toBeGreaterThanOrEqual(after[k - 1].wall_seconds);
    }

    // the same experiment, never interrupted, in a fresh database
    const ref = sandbox('crash-ref');
    const refExp = await longExperiment(ref);
    expect(refExp.runIds).toEqual(runIds);
    const refRun = await ref.json('experiment', 'run', refExp.id, '--workers', 2);
    expect(refRun.runs.map((r: Json) => r.status)).toEqual(['completed', 'completed']);

    const evalText = s.file('eval.txt', EN_EVAL);
    for (const r of runIds) {
      const got = exactRecord(s, r);
      const want = exactRecord(ref, r);
      expect(got.metrics.map((m: Json) => m.step)).toEqual(Array.from({ length: LONG_STEPS }, (_, i) => i + 1));
      // exact equality: resuming from a checkpoint replays the same numbers bit for bit
      expect(got).toEqual(want);
      for (const which of ['best', 'last']) {
        const a = await s.json('eval', r, '--text', evalText, '--checkpoint', which);
        const b = await ref.json('eval', r, '--text', evalText, '--checkpoint', which);
        expect(a).toEqual(b);
      }
      const ga = await s.json('generate', r, '--length', 60);
      const gb = await ref.json('generate', r, '--length', 60);
      expect(ga).toEqual(gb);
    }
  });

  it('Ctrl-C pauses the runs with a checkpoint, exits 130 and says how to resume', async () => {
    const s = sandbox('sigint');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    await waitFor('20 steps of both runs', () => runStatuses(s).every((r) => r.step >= 20), 30_000);
    const t0 = Date.now();
    child.child.kill('SIGINT');
    const r = await within(child, 10_000);
    const took = Date.now() - t0;
    expect(r.code, r.stderr).toBe(130);
    expect(took).toBeLessThan(5000);
    expect(r.stderr).toContain('pausing (writing checkpoints)');
    expect(r.stdout).toContain(`paused: resume with ${runIds.map((x) => `rnn-lab run resume ${x}`).join(' ; ')}`);
    const runs = runStatuses(s);
    expect(runs.map((x) => x.status)).toEqual(['paused', 'paused']);
    for (const run of runs) {
      expect(run.step).toBeLessThan(LONG_STEPS);
      // the pause wrote a checkpoint where the run stopped
      const cp = s.read((db) => db.prepare("SELECT step FROM checkpoints WHERE run_id = ? AND kind = 'last'").get(run.id)) as Json;
      expect(cp.step).toBe(run.step);
    }
    for (const runId of runIds) {
      const resumed = await s.json('run', 'resume', runId);
      expect(resumed.run).toMatchObject({ status: 'completed', step: LONG_STEPS });
      const steps = s.read((db) => db.prepare('SELECT step FROM metrics WHERE run_id = ? ORDER BY step').all(runId)).map((m: Json) => m.step);
      expect(steps).toEqual(Array.from({ length: LONG_STEPS }, (_, i) => i + 1));
    }
    await s.fails(['run', 'resume', runIds[0]], /run \d+ is completed; only not-started, paused or interrupted runs can be resumed/, 1);
    expect(integrity(s)).toBe('ok');
  });

  it('run pause and run cancel from other processes stop runs of the running process within a second or two', async () => {
    const s = sandbox('pause');
    const { id, runIds } = await longExperiment(s);
    const child = s.spawn('experiment', 'run', id, '--workers', 2);
    await waitFor('20 steps of both runs', () => runStatuses(s).every((r) => r.step >= 20), 30_000);
    // nothing a running experiment needs can be deleted meanwhile
    await s.fails(['experiment', 'rm', id], /has running runs; pause or cancel them first/, 1);
    await s.fails(['corpus', 'rm', 1], /is used by the experiment/, 1);

    const t0 = Date.now();
    const asked = await s.json('run', 'pause', runIds[0]);
    // the request is in the database; the owner has not acted on it yet
    expect(asked.run).toMatchObject({ id: runIds[0], status: 'running', control: 'pause' });
    await waitFor('the run to pause', () => runStatuses(s)[0].status === 'paused', 5000);
    expect(Date.now() - t0).toBeLessThan(2500);
    const [paused, other] = runStatuses(s);
    expect(other.status).toBe('running');
    // the pause wrote a checkpoint where the run stopped
    const cp = s.read((db) => db.prepare("SELECT step FROM checkpoints WHERE run_id = ? AND kind = 'last'").get(paused.id)) as Json;
    expect(cp.step).toBe(paused.step);

    // the owner keeps going until its last run ends: cancel that one too
    const t1 = Date.now();
    expect((await s.json('run', 'cancel', runIds[1])).run).toMatchObject({ status: 'running', control: 'cancel' });
    const r = await within(child, 10_000);
    expect(Date.now() - t1).toBeLessThan(2500);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`paused: resume with rnn-lab run resume ${runIds[0]}\n`);
    const runs = (await s.json('experiment', 'show', id)).runs;
    expect(runs[0]).toMatchObject({ status: 'paused', control: null, ownerPid: null, finishedAt: null });
    expect(runs[1]).toMatchObject({ status: 'cancelled', control: null, ownerPid: null, finishedAt: expect.any(Number) });
    for (const run of runs) expect(run.step).toBeLessThan(LONG_STEPS);
    await s.fails(['run', 'pause', runIds[0]], /is paused, not running/, 1);
    await s.fails(['run', 'resume', runIds[1]], /is cancelled; only not-started, paused or interrupted runs can be resumed/, 1);
    // the paused run finishes on its own later
    expect((await s.json('run', 'resume', runIds[0])).run).toMatchObject({ status: 'completed', step: LONG_STEPS });
    await s.ok('experiment', 'rm', id);
    expect(integrity(s)).toBe('ok');
  });
});
