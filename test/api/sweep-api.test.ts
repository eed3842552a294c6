/**
 * Sweeps through the LabApi: the schema of spec.sweep (types, sizes and unknown keys refused by
 * field; a confirmation cannot be made by hand), the lab's finer checks answered invalid-config,
 * and sweepReport and confirmSweep with their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentDetails, ExperimentPlan, Result, SweepReport } from '../../src-main/api/contract.ts';
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';

let lab: Lab;
let corpusId: number;
const call = (method: string, req: unknown): Promise<Result<unknown>> => dispatch(lab, method, req, { emit: () => {} });

/** the value of a call that must succeed, or of one that must fail: its code and message */
const ok = async <T>(method: string, req: unknown): Promise<T> => ((await call(method, req)) as { value: T }).value ?? expect.fail(`${method} failed`);
const refused = async (method: string, req: unknown): Promise<{ code: string; message: string }> => {
  const r = await call(method, req);
  expect(r.ok, `${method} should have failed`).toBe(false);
  return r as { code: string; message: string };
};

const SWEEP = { search: 'random', trials: 3, drawSeed: 5, ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 1e-1 }, { name: 'optimizer', values: ['adam', 'sgd'] }], halving: { eta: 3, minSteps: 10 } };
const spec = (sweep: unknown) => ({ cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 40 }, cadence: { evalEvery: 10 }, sweep });

beforeAll(() => {
  lab = Lab.open({ db: ':memory:', workers: 2 });
  corpusId = lab.importCorpus(new TextEncoder().encode('a sweep tunes every cell before it judges them. '.repeat(20)), { name: 'text' }).corpus.id;
});

afterAll(() => lab?.close());

describe('sweeps through the LabApi', () => {
  it('plans and creates trials x cells runs with each trial on its runs', async () => {
    const plan = await ok<ExperimentPlan>('planExperiment', { corpusId, spec: spec(SWEEP) });
    expect(plan.runs.map((r) => `${r.trial!.index}:${r.cell}`)).toEqual(['0:rnn', '0:gru', '1:rnn', '1:gru', '2:rnn', '2:gru']);
    const created = await ok<ExperimentDetails>('createExperiment', { corpusId, spec: spec(SWEEP) });
    expect(created.runs.map((r) => r.trial)).toEqual(plan.runs.map((r) => r.trial));
    expect(created.spec.sweep).toEqual(SWEEP);
    const report = await ok<SweepReport>('sweepReport', { experimentId: created.experiment.id });
    expect(report.cells.map((c) => [c.cell, c.trials, c.best, c.expectedBest, c.importanceMethod])).toEqual([
      ['rnn', { completed: 0, stopped: 0, total: 3 }, null, [], null], ['gru', { completed: 0, stopped: 0, total: 3 }, null, [], null],
    ]);
    expect(report.trials.map((t) => [t.cell, t.status, t.valLoss])).toEqual(created.runs.map((r) => [r.cell, 'not-started', null]));
    const early = await refused('confirmSweep', { experimentId: created.experiment.id });
    expect(early).toMatchObject({ code: 'bad-state', message: expect.stringMatching(/has 6 run\(s\) that have not ended/) });
  });

  it('refuses a malformed sweep naming the field', async () => {
    const bad = async (sweep: unknown) => (await refused('createExperiment', { corpusId, spec: spec(sweep) })).message;
    expect(await bad({ ...SWEEP, trials: 0 })).toBe('spec.sweep.trials: must be a whole number from 1 to 1000, got 0');
    expect(await bad({ ...SWEEP, search: 'bayes' })).toMatch(/^spec\.sweep\.search: must be one of grid, random/);
    expect(await bad({ ...SWEEP, ranges: [{ name: 'momentum', values: [0.9] }] })).toMatch(/^spec\.sweep\.ranges\[0\]\.name: must be one of lr, hidden/);
    expect(await bad({ ...SWEEP, ranges: [{ name: 'lr', scale: 'log', min: 1e-3, max: 1e-1, step: 2 }] })).toMatch(/^spec\.sweep\.ranges\[0\]\.step: unknown field/);
    expect(await bad({ ...SWEEP, halving: { eta: 1, minSteps: 10 } })).toBe('spec.sweep.halving.eta: must be a whole number from 2 to 100, got 1');
    expect(await bad({ ...SWEEP, ranges: [] })).toMatch(/^spec\.sweep\.ranges: must have 1 to 11 items/);
    const { code, message } = await refused('createExperiment', { corpusId, spec: { ...spec(SWEEP), confirms: 1 } });
    expect([code, message]).toEqual(['bad-request', expect.stringMatching(/^spec\.confirms: unknown field/)]);
  });

  it('answers invalid-config for what the lab checks', async () => {
    const bad = (sweep: unknown) => refused('planExperiment', { corpusId, spec: spec(sweep) });
    expect(await bad({ ...SWEEP, ranges: [{ name: 'lr', scale: 'log', min: 0, max: 1e-1 }] })).toMatchObject({ code: 'invalid-config', message: 'sweep.ranges[0] (lr): min 0 must be > 0 on a log scale' });
    expect(await bad({ ...SWEEP, ranges: [{ name: 'dropout', values: [0, 'adam'] }] })).toMatchObject({ code: 'invalid-config', message: 'sweep.ranges[0] (dropout): "adam" must be in [0, 1)' });
    expect(await bad({ ...SWEEP, halving: { eta: 3, minSteps: 15 } })).toMatchObject({ code: 'invalid-config', message: expect.stringMatching(/^sweep\.halving\.minSteps: must be a multiple of cadence\.evalEvery \(10\)/) });
    expect((await bad({ ...SWEEP, ranges: [{ name: 'seqLen', values: [8, 2000] }] })).message).toMatch(/^seqLen: the training part of "text" has \d+ characters; batch 2 x seqLen 2000 needs at least \d+ \(trial 1 \(seqLen=2000\)\)/);
  });

  it('answers bad-request for the report of an experiment that is not a sweep, and not-found for none', async () => {
    const plain = await ok<ExperimentDetails>('createExperiment', { corpusId, name: 'plain', spec: { ...spec(undefined), sweep: undefined } });
    expect(await refused('sweepReport', { experimentId: plain.experiment.id })).toMatchObject({ code: 'bad-request', message: `experiment ${plain.experiment.id} "plain" is not a sweep` });
    expect(await refused('confirmSweep', { experimentId: plain.experiment.id })).toMatchObject({ code: 'bad-request' });
    expect(await refused('sweepReport', { experimentId: 9999 })).toMatchObject({ code: 'not-found', message: 'no experiment 9999' });
    expect((await refused('confirmSweep', { experimentId: 1, seeds: 2 })).message).toBe('seeds: must be a whole number from 3 to 100, got 2');
  });
});
