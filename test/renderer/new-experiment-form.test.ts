// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CorpusMeta, ExperimentSpecInput, LabClient } from '../../src-main/api/contract.ts';
import { LabApiError } from '../../src-renderer/api/client.ts';
import NewExperimentForm from '../../src-renderer/components/NewExperimentForm.vue';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { CELL_CATALOGUE } from '../../src-shared/cells.ts';
import { parameterCount } from '../../src-worker/engine/param-layout.ts';
import { fakeClient, planMemory, type FakeClient } from './fake-client.ts';

let client: FakeClient;

const corpus = (over: Partial<CorpusMeta> = {}): CorpusMeta => ({
  id: 1, name: 'shakespeare', kind: 'file', task: null, sha256: 'x', chars: 1_000_000, vocab: ['a'], validFraction: 0.1, source: null, createdAt: 0, ...over,
});

function setup(plan: (spec: ExperimentSpecInput) => unknown, opts: { corpora?: CorpusMeta[]; more?: Partial<{ [M in keyof LabClient]: LabClient[M] }>; planDelayMs?: number } = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  client = fakeClient({
    planExperiment: async ({ spec }) => plan(spec) as never,
    ...opts.more,
  });
  provideLabClient(client);
  useCorporaStore().corpora = opts.corpora ?? [corpus()];
  return mount(NewExperimentForm, { props: { corpusId: 1, planDelayMs: opts.planDelayMs ?? 0 }, global: { plugins: [pinia] } });
}

const emptyPlan = () => ({ runs: [], estimateSeconds: 1 });

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  await flushPromises();
}

const fieldError = (w: VueWrapper, field: string) => w.find(`[data-field="${field}"] .field-error`);
const createButton = (w: VueWrapper) => w.find('button[type="submit"]');

beforeEach(() => {
  document.body.innerHTML = '';
  localStorage.clear();
});

describe('NewExperimentForm', () => {
  it('shows each planned cell with its live parameter count and the time estimate', async () => {
    const wrapper = setup((spec) => ({
      runs: spec.cells.map((cell, i) => ({ cell, seed: 1, hidden: 128, params: 10_000 * (i + 1) + 345, memory: planMemory(1_234_567 * (i + 1)) })),
      estimateSeconds: 125,
    }));
    await settle();
    expect(client.planExperiment).toHaveBeenCalled();
    const rows = wrapper.findAll('.plan-table tbody tr');
    expect(rows.map((r) => r.attributes('data-cell'))).toEqual(['rnn', 'lstm', 'gru']);
    expect(wrapper.find('[data-cell="lstm"] .param-count').text()).toBe('20,345');
    expect(wrapper.find('[data-cell="lstm"] .memory').text()).toBe('2.35 MB');
    expect(wrapper.find('.estimate').text()).toContain('2m 05s');

    // ticking another cell asks again and the table follows
    const peephole = wrapper.findAll('input[type="checkbox"]')[2];
    await peephole.setValue(true);
    await settle();
    expect(wrapper.findAll('.plan-table tbody tr')).toHaveLength(4);
    expect(wrapper.find('[data-cell="lstm-peephole"] .param-count').text()).toBe('40,345');
  });

  it('puts a refused value beside its field in the user\'s words, before anything is queued', async () => {
    const wrapper = setup((spec) => {
      if ((spec.train?.optimizer?.lr ?? 1) > 10) throw new LabApiError('invalid-config', 'optimizer.lr: must be a finite number in (0, 10], got 50');
      return emptyPlan();
    });
    await settle();
    const asked = client.planExperiment.mock.calls.length;
    await wrapper.find('#field-lr').setValue('50');
    await settle();
    const lrField = wrapper.find('[data-field="lr"]');
    expect(lrField.find('.field-error').text()).toBe('Learning rate must be more than 0 and at most 10.');
    expect(lrField.find('input').attributes('aria-invalid')).toBe('true');
    expect(lrField.find('input').attributes('aria-describedby')).toBe('field-lr-error');
    expect(lrField.classes()).toContain('invalid');
    // the form knew by itself: the lab was not asked about 50
    expect(client.planExperiment.mock.calls.length).toBe(asked);
    // only there: no other field shows it
    expect(wrapper.findAll('.field-error')).toHaveLength(1);
    // and nothing can be created while it stands, with the reason beside the button
    const create = createButton(wrapper);
    expect(create.attributes('disabled')).toBeDefined();
    expect(create.attributes('aria-describedby')).toBe('create-blocked');
    expect(wrapper.find('#create-blocked').text()).toBe('Correct the marked setting (Learning rate) to create the experiment.');
    await create.trigger('submit');
    expect(client.createExperiment).not.toHaveBeenCalled();

    await wrapper.find('#field-lr').setValue('0.002');
    await settle();
    expect(fieldError(wrapper, 'lr').exists()).toBe(false);
    expect(createButton(wrapper).attributes('disabled')).toBeUndefined();
    expect(wrapper.find('#create-blocked').exists()).toBe(false);
  });

  it('shows hidden 0, dropout 1.5 and a negative learning rate at once, each beside its field', async () => {
    const wrapper = setup(emptyPlan);
    await settle();
    await wrapper.find('#field-hidden').setValue('0');
    await wrapper.find('#field-dropout').setValue('1.5');
    await wrapper.find('#field-lr').setValue('-0.01');
    await settle();
    expect(fieldError(wrapper, 'hidden').text()).toBe('Hidden size must be a whole number from 1 to 8,192.');
    expect(fieldError(wrapper, 'dropout').text()).toBe('Dropout must be at least 0 and less than 1.');
    expect(fieldError(wrapper, 'lr').text()).toBe('Learning rate must be more than 0 and at most 10.');
    for (const f of ['hidden', 'dropout', 'lr']) {
      const input = wrapper.find(`#field-${f}`);
      expect(input.attributes('aria-invalid'), f).toBe('true');
      expect(input.attributes('aria-describedby'), f).toBe(`field-${f}-error`);
      expect(wrapper.find(`#field-${f}-error`).exists(), f).toBe(true);
    }
    expect(wrapper.findAll('.field-error')).toHaveLength(3);
    // no internal paths anywhere
    expect(wrapper.text()).not.toMatch(/spec\.|budget\.|optimizer\.lr|got /);
    expect(createButton(wrapper).attributes('disabled')).toBeDefined();
    expect(wrapper.find('#create-blocked').text()).toBe('Correct the 3 marked settings to create the experiment: Hidden size, Dropout, Learning rate.');
    expect(wrapper.find('.plan').text()).toContain('Correct the marked settings to see the runs');
  });

  it('drops the plan as soon as a box is refused, without waiting for the user to stop typing', async () => {
    const wrapper = setup((spec) => ({ runs: spec.cells.map((cell) => ({ cell, seed: 1, hidden: 128, params: 1000, memory: planMemory(1e6) })), estimateSeconds: 5 }), { planDelayMs: 20 });
    await new Promise((r) => setTimeout(r, 40));
    await flushPromises();
    expect(wrapper.findAll('.plan-table tbody tr')).toHaveLength(3);
    await wrapper.find('#field-hidden').setValue('0');
    expect(wrapper.find('.plan-table').exists()).toBe(false);
    expect(wrapper.find('.estimate').exists()).toBe(false);
  });

  it('states in each hint exactly the range its error states', async () => {
    const wrapper = setup(emptyPlan);
    await settle();
    expect(wrapper.find('#field-dropout-hint').text()).toBe('At least 0 and less than 1 (between stacked layers).');
    await wrapper.find('#field-dropout').setValue('1');
    await settle();
    expect(fieldError(wrapper, 'dropout').text()).toBe('Dropout must be at least 0 and less than 1.');
    expect(wrapper.find('#field-hidden-hint').text()).toBe('A whole number from 1 to 8,192 (units per layer).');
  });

  it('maps the lab\'s refusals to their fields in the user\'s words, and shows refusals about no single field in the Runs box', async () => {
    let refusal = new LabApiError('invalid-config', 'cadence.evalEvery: must be a whole number >= 1, got 0');
    const wrapper = setup(() => {
      throw refusal;
    });
    await settle();
    expect(fieldError(wrapper, 'evalEvery').text()).toBe('Evaluation interval must be a whole number from 1 to 1,000,000,000.');
    expect(createButton(wrapper).attributes('disabled')).toBeDefined();

    // the request schema's refusal names the nested path; the form puts it under the box, without it
    refusal = new LabApiError('bad-request', 'spec.budget.hidden: must be a whole number from 1 to 8192, got 9000');
    await wrapper.find('#field-steps').setValue('3000');
    await settle();
    expect(fieldError(wrapper, 'hidden').text()).toBe('Hidden size must be a whole number from 1 to 8,192.');

    // what only the lab knows, beside the box it is about
    refusal = new LabApiError('invalid-config', 'params: no hidden size gives lstm within 2% of 500 parameters (nearest: hidden 1 with 540); choose a larger budget');
    await wrapper.find('input[type="radio"][value="params"]').setValue(true);
    await settle();
    expect(fieldError(wrapper, 'params').text()).toBe('No hidden size gives lstm within 2% of 500 parameters (nearest: hidden 1 with 540); choose a larger budget.');

    refusal = new LabApiError('not-found', 'no corpus 1');
    await wrapper.find('#field-steps').setValue('3001');
    await settle();
    expect(wrapper.find('.general-error').text()).toBe('No corpus 1.');
    expect(wrapper.findAll('.field-error:not(.general-error)')).toHaveLength(0);
    expect(createButton(wrapper).attributes('disabled')).toBeDefined();
    expect(wrapper.find('#create-blocked').text()).toBe('The lab refused these settings (see Runs above).');
  });

  it('explains an empty box without asking the lab', async () => {
    const wrapper = setup(emptyPlan);
    await settle();
    const calls = client.planExperiment.mock.calls.length;
    await wrapper.find('#field-batch').setValue('');
    await wrapper.find('#field-steps').setValue('');
    await settle();
    expect(fieldError(wrapper, 'batch').text()).toBe('Enter a number.');
    expect(fieldError(wrapper, 'steps').text()).toBe('Enter a number.');
    expect(client.planExperiment.mock.calls.length).toBe(calls);
    // an empty Steps box is not "choose a corpus and cells"
    expect(wrapper.find('.plan').text()).toContain('Correct the marked settings to see the runs and a time estimate.');
    expect(wrapper.find('.plan').text()).not.toContain('Choose a corpus');
  });

  it('checks threads against the lab\'s cores and the text against the batch', async () => {
    const wrapper = setup(emptyPlan, {
      corpora: [corpus({ chars: 2000, validFraction: 0.1 })],
      more: { appInfo: async () => ({ version: 't', shell: 'browser', cores: 2, workers: 2, database: ':memory:' }) },
    });
    await settle();
    expect(wrapper.find('#field-threads-hint').text()).toBe("A whole number from 1 to 2 (cores one run's batch is split over; this lab trains on 2 threads, one per core).");
    await wrapper.find('#field-threads').setValue('3');
    await settle();
    expect(fieldError(wrapper, 'threads').text()).toBe('Threads per run must be a whole number from 1 to 2 (this lab trains on 2 threads, one per core).');
    // 1,800 training characters; 32 streams of 64 need 2,112
    expect(fieldError(wrapper, 'seqLen').text()).toBe('"shakespeare" has 1,800 characters for training; a batch of 32 windows of 64 characters needs at least 2,112. Shorten the sequence or the batch.');
    await wrapper.find('#field-batch').setValue('16');
    await wrapper.find('#field-threads').setValue('2');
    await settle();
    expect(wrapper.findAll('.field-error')).toHaveLength(0);
  });

  it('creates and starts with the spec the form shows', async () => {
    const wrapper = setup(emptyPlan);
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

  it('sends the advanced settings, shows each schedule\'s own, and opens when one of them is refused', async () => {
    const wrapper = setup(emptyPlan);
    client.createExperiment.mockImplementation(async ({ corpusId, spec }) => ({ experiment: { id: 4, name: 'x', corpusId, spec, createdAt: 0 }, spec: spec as never, runs: [] }));
    client.listExperiments.mockImplementation(async () => []);
    await settle();
    const details = wrapper.find('details.advanced');
    expect(details.attributes('open')).toBeUndefined();
    expect(wrapper.find('#field-stepSize').exists()).toBe(false);
    await wrapper.find('#field-schedule').setValue('step');
    expect(wrapper.find('#field-stepSize').exists()).toBe(true);
    expect(wrapper.find('#field-gamma-hint').text()).toBe('More than 0 and at most 1 (the rate is multiplied by it at each decay).');
    await wrapper.find('#field-gamma').setValue('0');
    await settle();
    expect(details.attributes('open')).toBeDefined();
    expect(fieldError(wrapper, 'gamma').text()).toBe('Decay factor must be more than 0 and at most 1.');
    await wrapper.find('#field-gamma').setValue('0.3');
    await wrapper.find('#field-stepSize').setValue('400');
    await wrapper.find('#field-warmup').setValue('50');
    await wrapper.find('#field-init').setValue('char-rnn');
    await wrapper.find('#field-weightDecay').setValue('0.01');
    await wrapper.find('#field-sampleEvery').setValue('100');
    await wrapper.find('#field-checkpointEvery').setValue('300');
    await settle();
    // the summary names what differs from the defaults, so a closed box hides nothing
    expect(wrapper.find('[data-testid="advanced-changed"]').text()).toBe('Schedule: Step decay · Initialisation: char-rnn · Warm-up steps: 50 · Decay interval: 400 · Decay factor: 0.3 · Weight decay: 0.01 · Sample interval: 100 · Checkpoint interval: 300');
    await wrapper.find('button.primary').trigger('submit');
    await settle();
    const { spec } = client.createExperiment.mock.calls[0][0];
    expect(spec.train?.schedule).toEqual({ name: 'step', warmup: 50, stepSize: 400, gamma: 0.3 });
    expect(spec.train?.optimizer).toEqual({ name: 'adam', lr: 0.002, weightDecay: 0.01 });
    expect(spec.model?.init).toBe('char-rnn');
    expect(spec.cadence).toEqual({ evalEvery: 100, sampleEvery: 100, checkpointEvery: 300 });

    // cosine reads its final rate, at most the learning rate
    await wrapper.find('#field-schedule').setValue('cosine');
    await wrapper.find('#field-minLr').setValue('0.01');
    await settle();
    expect(fieldError(wrapper, 'minLr').text()).toBe('Final learning rate must be a number from 0 to 0.002 (at most the learning rate).');
    expect(wrapper.find('#field-stepSize').exists()).toBe(false);
  });

  it('remembers the settings per corpus, brings them back when it is chosen again, and resets to the defaults', async () => {
    const wrapper = setup(emptyPlan, { corpora: [corpus(), corpus({ id: 2, name: 'other', sha256: 'y' })] });
    await settle();
    await wrapper.find('#field-hidden').setValue('64');
    await wrapper.find('#field-seqLen').setValue('100');
    await wrapper.find('#field-corpusId').setValue('2');
    await wrapper.find('#field-hidden').setValue('256');
    await wrapper.find('#field-corpusId').setValue('1');
    expect((wrapper.find('#field-hidden').element as HTMLInputElement).value).toBe('64');
    expect((wrapper.find('#field-seqLen').element as HTMLInputElement).value).toBe('100');
    await wrapper.find('#field-corpusId').setValue('2');
    expect((wrapper.find('#field-hidden').element as HTMLInputElement).value).toBe('256');

    // a new form on the first corpus starts where it was left
    wrapper.unmount();
    const again = setup(emptyPlan, { corpora: [corpus(), corpus({ id: 2, name: 'other', sha256: 'y' })] });
    expect((again.find('#field-hidden').element as HTMLInputElement).value).toBe('64');
    await again.find('#field-name').setValue('kept');
    await again.findAll('button').find((b) => b.text() === 'Reset to defaults')!.trigger('click');
    expect((again.find('#field-hidden').element as HTMLInputElement).value).toBe('128');
    expect((again.find('#field-seqLen').element as HTMLInputElement).value).toBe('64');
    expect((again.find('#field-name').element as HTMLInputElement).value).toBe('kept');
    expect((again.find('#field-corpusId').element as HTMLSelectElement).value).toBe('1');
  });

  it('says at the form that torch.nn.GRU cannot load the Cho-form GRU and gru-reset-after can', async () => {
    const wrapper = setup(emptyPlan);
    await settle();
    const note = wrapper.find('.torch-note[data-cell="gru"]');
    expect(note.text()).toContain('GRU: torch.nn.GRU cannot load its weights.');
    const reason = CELL_CATALOGUE.gru.torch.module === null ? CELL_CATALOGUE.gru.torch.reason : '';
    expect(note.text()).toContain(reason);
    expect(note.text()).toContain('gru-reset-after loads into torch.nn.GRU unchanged.');
    await note.find('button').trigger('click');
    expect(wrapper.find('.torch-note').exists()).toBe(false);
    const checked = wrapper.findAll('input[type="checkbox"]').filter((c) => (c.element as HTMLInputElement).checked).map((c) => c.element.parentElement!.textContent!.trim());
    expect(checked).toEqual(['RNN (tanh)', 'LSTM', 'GRU, reset-after (PyTorch form)']);
  });

  it('points out a one-hot vocabulary that takes most of the parameters, and adds an embedding on request', async () => {
    const vocab = Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(0x4e00 + i));
    const wrapper = setup((spec) => ({
      runs: spec.cells.map((cell) => ({ cell, seed: 1, hidden: 128, params: parameterCount({ cell, vocabSize: vocab.length, hidden: 128, embedding: spec.model?.embedding ?? 0 }), memory: planMemory(1e6) })),
      estimateSeconds: 10,
    }), { corpora: [corpus({ vocab })] });
    await settle();
    const note = wrapper.find('[data-testid="vocabulary-note"]');
    // rnn: 2,000 x 128 input + 128 x 2,000 + 2,000 decoder = 514,000 of 2,000 x 128 + 128 x 128 + 2 x 128 + 258,000 = 530,640
    expect(note.text()).toContain('the 2,000-character vocabulary\'s input and output weights take 97% of the RNN\'s 530,640 parameters (GRU 95%, LSTM 95%)');
    expect(note.text()).toContain('An embedding of 64 would save 119,808 of them in the RNN.');
    await note.find('button').trigger('click');
    await settle();
    expect((wrapper.find('#field-embedding').element as HTMLInputElement).value).toBe('64');
    expect(wrapper.find('[data-testid="vocabulary-note"]').exists()).toBe(false);
  });
});
