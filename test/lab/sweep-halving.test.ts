// Successive halving with a known answer: a fake executor reports evaluations whose loss is a known
// function of the cell, the learning rate and the step (the plain RNN diverges above lr 0.01), in an
// order the test chooses; the runs the rule must stop at each rung, worked out by hand below, are
// stopped with that decision, show as 'stopped', and the report's best and expected best follow.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLab, settled, type TestLab } from './scheduler-fixture.ts';
import { confirmSweep } from '../../src-main/lab/sweep-confirm.ts';
import { sweepReport } from '../../src-main/lab/sweep-report.ts';
import { expectedBest } from '../../src-shared/sweep/expected-best.ts';
import type { ExperimentSpec, Run } from '../../src-main/api/types.ts';

const LRS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];

/** the loss a run reports at a step: the GRU is best at lr 1e-2, the RNN at 3e-3 and diverges above 1e-2 */
function loss(cell: string, lr: number, step: number): number {
  if (cell === 'gru') return 1 + Math.abs(Math.log10(lr) + 2) + 10 / step;
  if (lr > 1e-2) return 3 + step / 100 + 10 / step;
  return 1.5 + Math.abs(Math.log10(lr / 3e-3)) + 10 / step;
}

let lab: TestLab;
let id: number;
let runs: Run[];

beforeEach(() => {
  lab = openTestLab(64);
  const { experiment } = lab.experiments.createExperiment({
    corpusId: lab.corpusId,
    name: 'lr sweep',
    spec: {
      cells: ['rnn', 'gru'], budget: { mode: 'hidden', hidden: 4 },
      train: { steps: 400, seqLen: 8, batch: 4, threads: 1 },
      cadence: { evalEvery: 100 },
      sweep: { search: 'grid', trials: 6, drawSeed: 0, ranges: [{ name: 'lr', values: LRS }], halving: { eta: 2, minSteps: 100 } },
    },
  });
  id = experiment.id;
  runs = lab.store.runs.list(id);
});

afterEach(async () => {
  await lab.close();
  lab.store.close();
});

/** the runs of a cell by trial */
const of = (cell: string): Run[] => runs.filter((r) => r.cell === cell).sort((a, b) => a.trial!.index - b.trial!.index);
const lrOf = (r: Run): number => r.trial!.values.lr as number;

/** each given run that is still running reports its evaluation at `step`, in the order given */
function evaluate(list: Run[], step: number): void {
  for (const r of list) {
    if (lab.status(r.id) !== 'running') continue;
    const valLoss = loss(r.cell, lrOf(r), step);
    lab.executor.of(r.id).onEvent({ type: 'eval', step, valLoss, bitsPerChar: valLoss / Math.LN2, accuracy: 0.5, predictableAccuracy: null, longRangeAccuracy: null, chars: 100 });
  }
}

/** the evaluation at `step` of a run that the executor has not stopped yet, whatever its status */
function late(r: Run, step: number): void {
  const valLoss = loss(r.cell, lrOf(r), step);
  lab.executor.of(r.id).onEvent({ type: 'eval', step, valLoss, bitsPerChar: valLoss / Math.LN2, accuracy: 0.5, predictableAccuracy: null, longRangeAccuracy: null, chars: 100 });
}

async function train(afterFirstRung = (): void => {}): Promise<void> {
  lab.control.runExperiment(id);
  expect(runs.every((r) => lab.status(r.id) === 'running')).toBe(true);
  // rung 100: the runs arrive trial by trial; rung 200: the GRU's and RNN's survivors in reverse
  evaluate(runs, 100);
  afterFirstRung();
  evaluate([...of('gru')].reverse(), 200);
  evaluate([...of('rnn')].reverse(), 200);
  evaluate(runs, 300);
  evaluate(runs, 400);
  for (const r of runs) if (lab.status(r.id) === 'running') lab.executor.of(r.id).finish({ status: 'completed', step: 400 });
  await settled();
}

describe('halving a learning-rate sweep', () => {
  it('plans the same six trials for both cells, trial by trial', () => {
    expect(runs.map((r) => `${r.trial!.index}:${r.cell}`)).toEqual(LRS.flatMap((_, t) => [`${t}:rnn`, `${t}:gru`]));
    expect(of('rnn').map(lrOf)).toEqual(LRS);
    expect(of('gru').map(lrOf)).toEqual(LRS);
  });

  it('stops the runs behind at each rung with the decision, and they show as stopped', async () => {
    await train();
    const L = loss;
    const gru = of('gru').map((r) => lab.run(r.id));
    const rnn = of('rnn').map((r) => lab.run(r.id));
    // GRU at step 100, in trial order: t0..t3 go on (rank <= max(1, floor(of / 2))), t4 is 4th of 5, t5 6th of 6
    expect(gru[4].halted).toEqual({ rung: 100, valLoss: L('gru', 1e-1, 100), cutoff: L('gru', 3e-2, 100), rank: 4, of: 5, eta: 2 });
    expect(gru[5].halted).toEqual({ rung: 100, valLoss: L('gru', 3e-1, 100), cutoff: L('gru', 3e-3, 100), rank: 6, of: 6, eta: 2 });
    // GRU at step 200, t3 first then t2 (both go on), t1 3rd of 3, t0 4th of 4
    expect(gru[1].halted).toEqual({ rung: 200, valLoss: L('gru', 3e-3, 200), cutoff: L('gru', 1e-2, 200), rank: 3, of: 3, eta: 2 });
    expect(gru[0].halted).toEqual({ rung: 200, valLoss: L('gru', 1e-3, 200), cutoff: L('gru', 3e-2, 200), rank: 4, of: 4, eta: 2 });
    expect(gru.map((r) => r.status)).toEqual(['stopped', 'stopped', 'completed', 'completed', 'stopped', 'stopped']);
    // RNN at step 100: t0, t1 go on; t2 is 3rd of 3; the diverging t3..t5 are behind them all
    expect(rnn[2].halted).toEqual({ rung: 100, valLoss: L('rnn', 1e-2, 100), cutoff: L('rnn', 3e-3, 100), rank: 3, of: 3, eta: 2 });
    expect(rnn[3].halted).toEqual({ rung: 100, valLoss: L('rnn', 3e-2, 100), cutoff: L('rnn', 1e-3, 100), rank: 4, of: 4, eta: 2 });
    expect(rnn[4].halted).toEqual({ rung: 100, valLoss: L('rnn', 1e-1, 100), cutoff: L('rnn', 1e-3, 100), rank: 4, of: 5, eta: 2 });
    expect(rnn[5].halted).toEqual({ rung: 100, valLoss: L('rnn', 3e-1, 100), cutoff: L('rnn', 1e-2, 100), rank: 4, of: 6, eta: 2 });
    // RNN at step 200: t1 first, t0 2nd of 2
    expect(rnn[0].halted).toEqual({ rung: 200, valLoss: L('rnn', 1e-3, 200), cutoff: L('rnn', 3e-3, 200), rank: 2, of: 2, eta: 2 });
    expect(rnn.map((r) => r.status)).toEqual(['stopped', 'completed', 'stopped', 'stopped', 'stopped', 'stopped']);
    // stopped through the executor without a checkpoint, keeping their evaluations up to the rung
    expect(lab.executor.of(gru[4].id).calls).toEqual(['cancel']);
    expect(lab.store.evals.list(gru[0].id).map((e) => e.step)).toEqual([100, 200]);
    expect(lab.store.evals.list(gru[2].id).map((e) => e.step)).toEqual([100, 200, 300, 400]);
    // a stopped run has ended: it cannot be resumed or cancelled
    expect(() => lab.control.resumeRun(gru[4].id)).toThrow(`run ${gru[4].id} is stopped; only not-started, paused or interrupted runs can be resumed`);
    expect(() => lab.control.cancelRun(gru[4].id)).toThrow('has already ended (stopped)');
  });

  it('does not count at a rung a run stopped at an earlier one that reports it before its cancel lands', async () => {
    // GRU t4, stopped at step 100, still reports step 200 with a loss that would otherwise rank among the survivors
    await train(() => late(of('gru')[4], 200));
    expect(lab.run(of('gru')[4].id).halted).toMatchObject({ rung: 100 });
    expect(lab.run(of('gru')[0].id).halted).toEqual({ rung: 200, valLoss: loss('gru', 1e-3, 200), cutoff: loss('gru', 3e-2, 200), rank: 4, of: 4, eta: 2 });
    expect(lab.store.evals.list(of('gru')[4].id).map((e) => e.step)).toEqual([100, 200]);
  });

  it('reports the best trial per cell and the expected best over the ended runs', async () => {
    await train();
    const report = sweepReport(lab.store, lab.records, id);
    const [rnn, gru] = report.cells;
    expect(rnn).toMatchObject({ cell: 'rnn', trials: { completed: 1, stopped: 5, total: 6 }, best: { trial: 1, seed: 1, values: { lr: 3e-3 }, valLoss: loss('rnn', 3e-3, 400) } });
    expect(gru).toMatchObject({ cell: 'gru', trials: { completed: 2, stopped: 4, total: 6 }, best: { trial: 2, values: { lr: 1e-2 }, valLoss: loss('gru', 1e-2, 400) } });
    expect((gru.best!.config as { train: { optimizer: { lr: number } } }).train.optimizer.lr).toBe(1e-2);
    // completed runs at their final loss, stopped ones at the loss they were stopped at
    const gruLosses = [loss('gru', 1e-3, 200), loss('gru', 3e-3, 200), loss('gru', 1e-2, 400), loss('gru', 3e-2, 400), loss('gru', 1e-1, 100), loss('gru', 3e-1, 100)];
    const eb = expectedBest(gruLosses);
    expect(gru.expectedBest).toEqual(eb.mean);
    expect(gru.expectedBestSd).toEqual(eb.sd);
    expect(gru.expectedBest).toHaveLength(6);
    // two completed runs are too few: the importance is fitted to every run's loss at the first rung
    expect(gru.importanceOver).toEqual({ losses: 'first-rung', step: 100, runs: 6 });
    expect(gru.importanceMethod).not.toBeNull();
    expect(gru.importance.lr).toBeCloseTo(1, 6);
    expect(report.trials).toHaveLength(12);
    expect(report.trials.find((t) => t.runId === of('gru')[4].id)).toMatchObject({ status: 'stopped', valLoss: loss('gru', 1e-1, 100), trial: 4 });
    expect(report.confirm).toBeNull();
  });

  it('decides the same from the evaluations table after a restart', async () => {
    lab.control.runExperiment(id);
    evaluate(of('gru').slice(0, 4), 100);
    // the lab goes away with these four evaluated; a new one over the same database hears t4's
    await lab.scheduler.close({ running: 'pause' });
    const reopened = openTestLab(64, { store: lab.store });
    const t4 = of('gru')[4];
    reopened.control.resumeRun(t4.id);
    const valLoss = loss('gru', 1e-1, 100);
    reopened.executor.of(t4.id).onEvent({ type: 'eval', step: 100, valLoss, bitsPerChar: 1, accuracy: 0.5, predictableAccuracy: null, longRangeAccuracy: null, chars: 100 });
    await settled();
    expect(reopened.run(t4.id)).toMatchObject({ status: 'stopped', halted: { rung: 100, rank: 4, of: 5, cutoff: loss('gru', 3e-2, 100) } });
    await reopened.close();
  });

  it('confirms each cell at its best trial on three fresh seeds, once, after every run has ended', async () => {
    const confirm = () => confirmSweep(lab.store, lab.records, lab.experiments, id);
    expect(confirm).toThrow(`sweep ${id} has 12 run(s) that have not ended`);
    await train();
    expect(() => confirmSweep(lab.store, lab.records, lab.experiments, id, 2)).toThrow('a confirmation needs at least 3 seeds per cell, got 2');
    const cid = confirm();
    expect(confirm()).toBe(cid);
    const { experiment, spec, runs: confirmRuns } = lab.records.experiment(cid);
    expect(experiment.name).toBe('lr sweep — confirm');
    expect(spec).toMatchObject({ confirms: id, seeds: 3, firstSeed: 2, overrides: { rnn: { train: { optimizer: { lr: 3e-3 } } }, gru: { train: { optimizer: { lr: 1e-2 } } } } });
    expect((spec as ExperimentSpec).sweep).toBeUndefined();
    expect(confirmRuns.map((r) => `${r.cell}:${r.seed}:${(r.config as { train: { optimizer: { lr: number } } }).train.optimizer.lr}:${r.status}`)).toEqual([
      'rnn:2:0.003:not-started', 'rnn:3:0.003:not-started', 'rnn:4:0.003:not-started', 'gru:2:0.01:not-started', 'gru:3:0.01:not-started', 'gru:4:0.01:not-started',
    ]);
    expect(sweepReport(lab.store, lab.records, id).confirm).toEqual({ experimentId: cid });
    expect(() => sweepReport(lab.store, lab.records, cid)).toThrow(`experiment ${cid} "lr sweep — confirm" is not a sweep`);
  });

  it('deletes the sweep\'s runs with it', async () => {
    await train();
    lab.control.deleteExperiment(id);
    expect(lab.store.runs.list(id)).toEqual([]);
    expect(runs.every((r) => lab.store.runs.get(r.id) === null)).toBe(true);
  });
});
