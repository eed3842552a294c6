// The kernels a run trains with: recorded the first time its worker reports them, and asked for
// again by every later start of the run, so all its checkpoints come from one set.
import { afterEach, describe, expect, it } from 'vitest';
import { openTestLab, settled, type TestLab } from './scheduler-fixture.ts';

let lab: TestLab | null = null;
afterEach(async () => {
  await lab?.close();
  lab?.store.close();
  lab = null;
});

describe('the kernel set of a run', () => {
  it('is recorded once, from the first report, and every later start of the run asks for it', async () => {
    lab = openTestLab(1);
    const { id, runs: [runId] } = lab.experiment(1);
    lab.control.runExperiment(id);
    const first = lab.executor.of(runId);
    // never trained: the worker chooses
    expect(first.request.kernelSet).toBeNull();
    first.onEvent({ type: 'kernels', step: 0, kernelSet: 'blocked' });
    expect(lab.run(runId).kernelSet).toBe('blocked');
    first.onEvent({ type: 'kernels', step: 0, kernelSet: 'naive' });
    expect(lab.run(runId).kernelSet).toBe('blocked');

    lab.control.pauseRun(runId);
    await settled();
    lab.control.resumeRun(runId);
    const second = lab.executor.started.at(-1)!;
    expect(second).not.toBe(first);
    expect(second.request).toMatchObject({ runId, kernelSet: 'blocked' });
  });
});
