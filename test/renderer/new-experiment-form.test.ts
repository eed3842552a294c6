// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../src-main/api/contract.ts';
import { LabApiError } from '../../src-renderer/api/client.ts';
import NewExperimentForm from '../../src-renderer/components/NewExperimentForm.vue';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { fakeClient, type FakeClient } from './fake-client.ts';

let client: FakeClient;

function setup(plan: (spec: ExperimentSpecInput) => unknown) {
  const pinia = createPinia();
  setActivePinia(pinia);
  client = fakeClient({
    planExperiment: async ({ spec }) => plan(spec) as never,
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
});

describe('NewExperimentForm', () => {
  it('shows each planned cell with its live parameter count and the time estimate', async () => {
    const wrapper = setup((spec) => ({
      runs: spec.cells.map((cell, i) => ({ cell, seed: 1, hidden: 128, params: 10_000 * (i + 1) + 345 })),
      estimateSeconds: 125,
    }));
    await settle();
    expect(client.planExperiment).toHaveBeenCalled();
    const rows = wrapper.findAll('.plan-table tbody tr');
    expect(rows.map((r) => r.attributes('data-cell'))).toEqual(['rnn', 'lstm', 'gru']);
    expect(wrapper.find('[data-cell="lstm"] .param-count').text()).toBe('20,345');
    expect(wrapper.find('.estimate').text()).toContain('2m 05s');

    // ticking another cell asks again and the table follows
    const peephole = wrapper.findAll('input[type="checkbox"]')[2];
    await peephole.setValue(true);
    await settle();
    expect(wrapper.findAll('.plan-table tbody tr')).toHaveLength(4);
    expect(wrapper.find('[data-cell="lstm-peephole"] .param-count').text()).toBe('40,345');
  });

  it('puts an invalid-config message beside the field it names, before anything is queued', async () => {
    const wrapper = setup((spec) => {
      if ((spec.train?.optimizer?.lr ?? 1) > 10) throw new LabApiError('invalid-config', 'optimizer.lr: must be a finite number in (0, 10], got 50');
      return { runs: [], estimateSeconds: 1 };
    });
    await settle();
    await wrapper.find('#field-lr').setValue('50');
    await settle();
    const lrField = wrapper.find('[data-field="lr"]');
    expect(lrField.find('.field-error').text()).toBe('must be a finite number in (0, 10], got 50');
    expect(lrField.find('input').attributes('aria-invalid')).toBe('true');
    expect(lrField.find('input').attributes('aria-describedby')).toBe('field-lr-error');
    // only there: no other field shows it
    expect(wrapper.findAll('.field-error')).toHaveLength(1);
    // and nothing can be created while it stands
    const create = wrapper.find('button[type="submit"]');
    expect(create.attributes('disabled')).toBeDefined();
    await create.trigger('submit');
    expect(client.createExperiment).not.toHaveBeenCalled();

    await wrapper.find('#field-lr').setValue('0.002');
    await settle();
    expect(wrapper.find('[data-field="lr"] .field-error').exists()).toBe(false);
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeUndefined();
  });

  it('maps cadence and budget fields, and shows refusals about no single field at the top', async () => {
    let message = 'cadence.evalEvery: must be a whole number >= 1, got 0';
    const wrapper = setup(() => {
      throw new LabApiError('invalid-config', message);
    });
    await settle();
    expect(wrapper.find('[data-field="evalEvery"] .field-error').text()).toBe('must be a whole number >= 1, got 0');
    message = 'init: unknown scheme "x"; allowed: pytorch, char-rnn';
    await wrapper.find('#field-steps').setValue('3000');
    await settle();
    expect(wrapper.find('.general-error').text()).toBe('init: unknown scheme "x"; allowed: pytorch, char-rnn');
  });

  it('explains an empty box without asking the lab', async () => {
    const wrapper = setup(() => ({ runs: [], estimateSeconds: 1 }));
    await settle();
    const calls = client.planExperiment.mock.calls.length;
    await wrapper.find('#field-batch').setValue('');
    await settle();
    expect(wrapper.find('[data-field="batch"] .field-error').text()).toBe('Enter a number.');
    expect(client.planExperiment.mock.calls.length).toBe(calls);
  });

  it('creates and starts with the spec the form shows', async () => {
    const wrapper = setup(() => ({ runs: [], estimateSeconds: 1 }));
    client.createExperiment.mockImplementation(async ({ corpusId, spec }) => ({
      experiment: { id: 3, name: 'x', corpusId, spec, createdAt: 0 }, spec: spec as never, runs: [],
    }));
    client.runExperiment.mockImplementation(async () => ({ queued: [] }));
    client.listExperiments.mockImplementation(async () => []);
    await settle();
    await wrapper.find('form').trigger('submit');
    await settle();
    const req = client.createExperiment.mock.calls[0][0];
    expect(req.corpusId).toBe(1);
    expect(req.spec.cells).toEqual(['rnn', 'lstm', 'gru']);
    expect(req.spec.budget).toEqual({ mode: 'hidden', hidden: 128 });
    expect(req.spec.train).toMatchObject({ seqLen: 64, batch: 32, threads: 1, optimizer: { name: 'adam', lr: 0.002 } });
    expect(client.runExperiment).toHaveBeenCalledWith({ id: 3 });
  });
});
