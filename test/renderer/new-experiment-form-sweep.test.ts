// @vitest-environment happy-dom
// The form's Sweep section mounted: a row prefilled on turning it on, the swept box marked, the plan's count and halved estimate, Create sending spec.sweep.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentSpecInput, PlannedRunInfo } from '../../src-main/api/contract.ts';
import NewExperimentForm from '../../src-renderer/components/NewExperimentForm.vue';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { drawTrials } from '../../src-shared/sweep/draw.ts';
import { fakeClient, planMemory, type FakeClient } from './fake-client.ts';

let client: FakeClient;

/** a plan as the lab makes it: trials x cells x seeds, trial-major, each run of a trial with its values */
function plan(spec: ExperimentSpecInput): { runs: PlannedRunInfo[]; estimateSeconds: number } {
  const trials = spec.sweep ? drawTrials(spec.sweep) : [null];
  const runs = trials.flatMap((trial) => spec.cells.flatMap((cell) => Array.from({ length: spec.seeds ?? 1 }, (_, i) => ({
    cell, seed: i + 1, ...(trial ? { trial } : {}), hidden: 128, params: 1000 * (1 + (trial?.index ?? 0)), memory: planMemory(1e6 * (1 + (trial?.index ?? 0))),
  }))));
  return { runs, estimateSeconds: 600 };
}

function setup(): VueWrapper {
  const pinia = createPinia();
  setActivePinia(pinia);
  client = fakeClient({
    planExperiment: async ({ spec }) => plan(spec),
    createExperiment: async () => ({ experiment: { id: 7, name: 'x', corpusId: 1, spec: {}, createdAt: 0 }, spec: {}, runs: [] }) as never,
    listExperiments: async () => [],
    listModels: async () => [],
    appInfo: async () => ({ version: '0', shell: 'browser', cores: 2, workers: 2, database: 'x' }) as never,
  });
  provideLabClient(client);
  useCorporaStore().corpora = [{ id: 1, name: 'shakespeare', kind: 'file', task: null, sha256: 'x', chars: 1_000_000, vocab: ['a'], validFraction: 0.1, source: null, createdAt: 0 }];
  return mount(NewExperimentForm, { props: { corpusId: 1, planDelayMs: 0 }, global: { plugins: [pinia] } });
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  await flushPromises();
}

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('the Sweep section of NewExperimentForm', () => {
  it('is off by default and sends no sweep', async () => {
    const w = setup();
    await settle();
    expect((w.find('[data-testid="sweep-on"]').element as HTMLInputElement).checked).toBe(false);
    expect(w.findAll('.sweep-row')).toHaveLength(0);
    expect(client.planExperiment.mock.calls.at(-1)![0].spec).not.toHaveProperty('sweep');
  });

  it('turned on, sweeps the learning rate around the form\'s, marks its box swept, and plans trials x cells x seeds', async () => {
    const w = setup();
    await settle();
    await w.find('#field-seeds').setValue('2');
    await w.find('[data-testid="sweep-on"]').setValue(true);
    await settle();
    expect(w.findAll('.sweep-row').map((r) => r.attributes('data-name'))).toEqual(['lr']);
    expect((w.find('#sweep-row-0-min').element as HTMLInputElement).value).toBe('0.0002');
    expect((w.find('#sweep-row-0-max').element as HTMLInputElement).value).toBe('0.02');
    const lr = w.find('#field-lr');
    expect(lr.attributes('disabled')).toBeDefined();
    expect((lr.element as HTMLInputElement).value).toBe('swept');
    expect(w.find('#field-lr-hint').text()).toBe('Swept: log 0.0002 to 0.02 (see Sweep).');

    await w.find('[id="field-sweep.trials"]').setValue('4');
    await settle();
    const sent = client.planExperiment.mock.calls.at(-1)![0].spec;
    expect(sent.sweep).toEqual({ search: 'random', trials: 4, drawSeed: 1, halving: null, ranges: [{ name: 'lr', scale: 'log', min: 0.0002, max: 0.02 }] });
    // the base the trials replace is the range's low end
    expect(sent.train?.optimizer?.lr).toBe(0.0002);
    expect(w.find('[data-testid="plan-sweep"]').text()).toBe('A sweep of 4 trials x 3 cells x 2 seeds = 24 runs, the same trials in every cell.');
    // each cell's line spans its trials' sizes
    expect(w.find('[data-cell="lstm"] .param-count').text()).toBe('1,000 – 4,000');
    expect(w.find('[data-cell="lstm"] td:last-child').text()).toBe('8');
    expect(w.find('.estimate').text()).toBe('About 10m 00s for all 24 runs on this machine.');

    // halving: the full runs' time is the upper bound, and the 1/eta estimate is said to be one
    await w.find('[data-testid="sweep-halving"]').setValue(true);
    await settle();
    expect((w.find('[id="field-sweep.minSteps"]').element as HTMLInputElement).value).toBe('200');
    expect(w.find('[id="field-sweep.minSteps-hint"]').text()).toBe("Rungs at 200, 600, 1,800 steps (a multiple of the evaluation interval, below the steps). Keeping 1/3 at each rung trains about 24% of the full runs' steps.");
    expect(w.find('.estimate').text().replace(/\s+/g, ' ')).toBe(
      'At most 10m 00s for all 24 runs on this machine, if no run is stopped. If halving kept 1/3 of the runs at each rung, they would train 24% of those steps: about 2m 22s (an estimate: the first runs to reach a rung go on, so it may take longer).',
    );

    await w.find('button[type="submit"]').trigger('submit');
    await settle();
    expect(client.createExperiment).toHaveBeenCalledTimes(1);
    expect(client.createExperiment.mock.calls[0][0].spec.sweep).toEqual({ search: 'random', trials: 4, drawSeed: 1, halving: { eta: 3, minSteps: 200 }, ranges: [{ name: 'lr', scale: 'log', min: 0.0002, max: 0.02 }] });
  });

  it('offers the size the budget is set by, and follows the budget when it changes', async () => {
    const w = setup();
    await settle();
    await w.find('[data-testid="sweep-on"]').setValue(true);
    await settle();
    const offered = () => w.find('[data-testid="sweep-add"]').findAll('option').map((o) => o.attributes('value'));
    expect(offered()).toEqual(['', 'hidden', 'layers', 'dropout', 'clip', 'seqLen', 'batch', 'optimizer', 'weightDecay', 'forgetBias']);
    await w.find('[data-testid="sweep-add"]').setValue('hidden');
    await settle();
    expect(w.findAll('.sweep-row').map((r) => r.attributes('data-name'))).toEqual(['lr', 'hidden']);
    expect(offered()).not.toContain('hidden');
    await w.findAll('input[type="radio"]')[1].setValue(true);
    await settle();
    // the budget of parameters, prefilled around the form's, in place of the hidden size
    expect(w.findAll('.sweep-row').map((r) => r.attributes('data-name'))).toEqual(['lr', 'params']);
    expect((w.find('#sweep-row-1-min').element as HTMLInputElement).value).toBe('50000');
    expect(w.find('#field-params').attributes('disabled')).toBeDefined();
    expect(offered()).not.toContain('hidden');
  });

  it('explains a refused row beside it and keeps Create disabled, naming it', async () => {
    const w = setup();
    await settle();
    await w.find('[data-testid="sweep-on"]').setValue(true);
    await settle();
    await w.find('#sweep-row-0-max').setValue('50');
    await settle();
    expect(w.find('[data-field="sweep.ranges.0"] .field-error').text()).toBe('Max 50 must be in (0, 10].');
    expect(w.find('#sweep-row-0-max').attributes('aria-describedby')).toBe('sweep-row-0-error');
    expect(w.find('button[type="submit"]').attributes('disabled')).toBeDefined();
    expect(w.find('#create-blocked').text()).toBe('Correct the marked setting (Swept setting 1) to create the experiment.');
    await w.find('.sweep-row .remove').trigger('click');
    await settle();
    expect(w.find('[data-field="sweep.ranges"] .field-error').text()).toBe('Add a setting to sweep.');
  });
});
