// Every run in one state a user can tell apart, with its place in the queue kept current by the
// events; what each action does in each state; duplicates; and a second process over the same
// database, which sees the queue and asks its owner to change it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../src-main/api/types.ts';
import { openTestLab, settled, type TestLab } from './scheduler-fixture.ts';

let labs: TestLab[] = [];
function open(capacity: number, opts: Parameters<typeof openTestLab>[1] = {}): TestLab {
  const lab = openTestLab(capacity, opts);
  labs.push(lab);
  return lab;
}

afterEach(async () => {
  for (const lab of labs) await lab.close();
  labs[0]?.store.close();
  labs = [];
});

/** each run's state as the run table says it: status, and the place of a waiting run */
const states = (lab: TestLab, ids: number[]) => ids.map((id) => {
  const r = lab.run(id);
  return r.queue ? `${r.status} ${r.queue.position}` : r.status;
});

/** what the events last said of each run */
function lastAnnounced(lab: TestLab): Map<number, Run> {
  const last = new Map<number, Run>();
  for (const e of lab.events) if (e.type === 'run') last.set(e.run.id, e.run);
  return last;
}

describe('run states and the queue', () => {
  it('shows runs beyond the workers waiting with their place, which the events keep current as runs ahead start', async () => {
    const lab = open(2);
    const e = lab.experiment(1, 5);
    expect(states(lab, e.runs)).toEqual(['not-started', 'not-started', 'not-started', 'not-started', 'not-started']);
    expect(lab.control.runExperiment(e.id)).toEqual(e.runs);
    expect(states(lab, e.runs)).toEqual(['running', 'running', 'waiting 1', 'waiting 2', 'waiting 3']);
    const told = () => e.runs.map((id) => {
      const r = lastAnnounced(lab).get(id);
      return r?.queue ? `${r.status} ${r.queue.position}` : r?.status;
    });
    expect(told()).toEqual(states(lab, e.runs));

    const before = lab.events.length;
    lab.executor.of(e.runs[0]).finish({ status: 'completed', step: 10 });
    await settled();
    expect(states(lab, e.runs)).toEqual(['completed', 'running', 'running', 'waiting 1', 'waiting 2']);
    expect(told()).toEqual(states(lab, e.runs));
    // each run that changed is told once: the one that ended, the one that started, the two that moved up
    expect(lab.events.slice(before).map((x) => (x.type === 'run' ? x.run.id : x.type))).toEqual([e.runs[0], e.runs[2], e.runs[3], e.runs[4]]);

    // a waiting run that leaves the queue moves the ones behind it up, and says so too
    lab.control.pauseRun(e.runs[3]);
    expect(states(lab, e.runs)).toEqual(['completed', 'running', 'running', 'paused', 'waiting 1']);
    expect(told()).toEqual(states(lab, e.runs));
  });

  it('starts every run that has not started, and the paused and interrupted ones, but queues none twice', () => {
    const lab = open(1);
    const e = lab.experiment(1, 4);
    const [a, b, c, d] = e.runs;
    lab.store.runs.claim(b, 1);
    lab.store.runs.setStatus(b, 'paused');
    lab.store.runs.claim(c, 1);
    lab.store.runs.setStatus(c, 'interrupted');
    lab.store.runs.claim(d, 1);
    lab.store.runs.setStatus(d, 'completed');
    expect(lab.control.runExperiment(e.id)).toEqual([a, b, c]);
    expect(states(lab, e.runs)).toEqual(['running', 'waiting 1', 'waiting 2', 'completed']);
    expect(() => lab.control.runExperiment(e.id)).toThrow(/experiment \d+ is training already: each of its runs that has not ended is running or waiting/);
    expect(() => lab.control.resumeRun(a)).toThrow(/run \d+ is running; only not-started, paused or interrupted runs can be resumed/);
    lab.control.resumeRun(b);
    expect(lab.scheduler.busy).toEqual([a, b, c]);
  });

  it('offers nothing to pause on a run that has not started; cancelling one drops it; resuming starts it', () => {
    const lab = open(1);
    const e = lab.experiment(1, 3);
    expect(() => lab.control.pauseRun(e.runs[0])).toThrow(/run \d+ has not started; there is nothing to pause/);
    expect(lab.status(e.runs[0])).toBe('not-started');
    lab.control.cancelRun(e.runs[1]);
    expect(lab.status(e.runs[1])).toBe('cancelled');
    expect(() => lab.control.resumeRun(e.runs[1])).toThrow(/is cancelled; only not-started, paused or interrupted runs can be resumed/);
    lab.control.resumeRun(e.runs[0]);
    lab.control.resumeRun(e.runs[2]);
    expect(states(lab, e.runs)).toEqual(['running', 'cancelled', 'waiting 1']);
    expect(() => lab.control.pauseRun(e.runs[1])).toThrow(/is cancelled, not running or waiting/);
  });

  it('queues a duplicate at once while its experiment trains here, and leaves it not started otherwise, numbered apart', () => {
    const lab = open(1);
    const idle = lab.experiment(1, 1);
    const copy = lab.control.queueDuplicate(lab.experiments.duplicateRun(idle.runs[0]));
    expect(copy).toMatchObject({ status: 'not-started', queue: null, copy: 1, seed: 1 });

    const busy = lab.experiment(1, 2);
    lab.control.runExperiment(busy.id);
    const first = lab.control.queueDuplicate(lab.experiments.duplicateRun(busy.runs[0]));
    const second = lab.control.queueDuplicate(lab.experiments.duplicateRun(busy.runs[0]));
    expect([first, second].map((r) => [r.status, r.queue?.position, r.seed, r.copy])).toEqual([['waiting', 2, 1, 1], ['waiting', 3, 1, 2]]);
    expect(lab.run(busy.runs[1]).copy).toBe(0);
  });

  it('puts waiting runs back as they were when the lab closes, and tells of them', async () => {
    const lab = open(1);
    const e = lab.experiment(1, 3);
    lab.control.runExperiment(e.id);
    lab.store.runs.setStatus(e.runs[2], 'paused');
    lab.control.resumeRun(e.runs[2]);
    expect(states(lab, e.runs)).toEqual(['running', 'waiting 1', 'waiting 2']);
    await lab.close();
    expect(states(lab, e.runs)).toEqual(['paused', 'not-started', 'paused']);
    expect([...lastAnnounced(lab).values()].map((r) => r.status)).toEqual(['paused', 'not-started', 'paused']);
  });
});

describe('a second process over the same database', () => {
  it('sees the first one\'s queue, cannot take its runs, and asks it to pause or cancel them', async () => {
    const owner = open(1, { pid: 4242 });
    const other = open(1, { pid: 4343, store: owner.store });
    const e = owner.experiment(1, 4);
    owner.control.runExperiment(e.id);
    expect(other.run(e.runs[2])).toMatchObject({ status: 'waiting', ownerPid: 4242, queue: { position: 2, threads: 1 } });
    // nothing the owner has can be queued again or started elsewhere
    expect(() => other.control.runExperiment(e.id)).toThrow(/is training already/);
    other.control.resumeRun(e.runs[1]);
    expect(other.startedIds()).toEqual([]);

    other.control.pauseRun(e.runs[1]);
    other.control.cancelRun(e.runs[2]);
    expect(owner.run(e.runs[1]).control).toBe('pause');
    // the owner hears it at its next poll (every 5 ms here)
    await vi.waitFor(() => expect(states(owner, e.runs)).toEqual(['running', 'paused', 'cancelled', 'waiting 1']));
    expect(owner.run(e.runs[1]).control).toBeNull();
  });
});
