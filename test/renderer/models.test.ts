// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentSpecInput, ModelInfo } from '../../src-main/api/contract.ts';
import { LabApiError } from '../../src-renderer/api/client.ts';
import NewExperimentForm from '../../src-renderer/components/NewExperimentForm.vue';
import TheGenerateScreen from '../../src-renderer/components/TheGenerateScreen.vue';
import { useCorporaStore } from '../../src-renderer/stores/corpora.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { parseVocab, useModelsStore } from '../../src-renderer/stores/models.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, planMemory, type FakeClient } from './fake-client.ts';

function makeModel(over: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id: 7, name: 'tiny-lstm', format: 'pytorch', sha256: 'abc', size: 1234, params: 54_321, createdAt: 0, provenance: {},
    config: { cell: 'lstm', vocabSize: 3, hidden: 128, layers: 2, embedding: 0, dropout: 0, init: 'pytorch', forgetBias: 1 },
    vocab: ['a', 'b', 'c'],
    ...over,
  };
}

const bytesOf = async () => new Uint8Array([1, 2, 3]);

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
  await flushPromises();
}

let client: FakeClient;
beforeEach(() => {
  document.body.innerHTML = '';
  setActivePinia(createPinia());
});

describe('parseVocab', () => {
  it('reads a list of characters or an object {char: id}', () => {
    expect(parseVocab('["a","b","\\n"]')).toEqual(['a', 'b', '\n']);
    expect(parseVocab('{"b": 1, "a": 0, " ": 2}')).toEqual(['a', 'b', ' ']);
  });

  it('refuses what is not a vocabulary', () => {
    expect(() => parseVocab('not json')).toThrow(/not JSON/);
    expect(() => parseVocab('[1, 2]')).toThrow(/non-string at index 0/);
    expect(() => parseVocab('{"a": 0, "b": 0}')).toThrow(/id 0 is given to both/);
    expect(() => parseVocab('{"a": 0, "b": 5}')).toThrow(/from 0 to 1/);
    expect(() => parseVocab('42')).toThrow(/JSON list/);
  });
});

describe('models store', () => {
  it('lists the models', async () => {
    client = fakeClient({ listModels: async () => [makeModel()] });
    provideLabClient(client);
    const models = useModelsStore();
    await models.load();
    expect(models.models.map((m) => m.id)).toEqual([7]);
    expect(models.byId(7)?.name).toBe('tiny-lstm');
  });

  it('imports an RNN Lab file without a vocabulary', async () => {
    client = fakeClient({ importModel: async () => ({ model: makeModel({ format: 'rnn-lab', name: 'mine' }), existing: false }) });
    provideLabClient(client);
    const models = useModelsStore();
    const m = await models.importFile(new File([new Uint8Array([1, 2, 3])], 'mine.safetensors'), null, bytesOf);
    expect(m?.id).toBe(7);
    expect(client.importModel).toHaveBeenCalledWith({ name: 'mine', bytes: new Uint8Array([1, 2, 3]) });
    expect(client.importModel.mock.calls[0][0]).not.toHaveProperty('vocab');
    expect(models.models).toHaveLength(1);
    expect(models.importError).toBeNull();
    expect(useUiStore().toasts.at(-1)?.text).toBe('Imported model "mine".');
  });

  it('imports a PyTorch state_dict with its vocabulary file, parsed to one string per id', async () => {
    client = fakeClient({ importModel: async () => ({ model: makeModel(), existing: false }) });
    provideLabClient(client);
    const models = useModelsStore();
    const vocab = new File(['{"c": 2, "a": 0, "b": 1}'], 'vocab.json', { type: 'application/json' });
    await models.importFile(new File([new Uint8Array([1])], 'tiny-lstm.safetensors'), vocab, bytesOf);
    expect(client.importModel).toHaveBeenCalledWith({ name: 'tiny-lstm', bytes: new Uint8Array([1, 2, 3]), vocab: ['a', 'b', 'c'] });
  });

  it('shows the lab\'s refusal, and a bad vocabulary file without asking the lab', async () => {
    client = fakeClient({ importModel: async () => { throw new LabApiError('invalid-model', 'the safetensors header is larger than 100000000 bytes'); } });
    provideLabClient(client);
    const models = useModelsStore();
    expect(await models.importFile(new File(['x'], 'evil.safetensors'), null, bytesOf)).toBeNull();
    expect(models.importError).toBe('evil.safetensors was not imported: the safetensors header is larger than 100000000 bytes');
    expect(models.models).toHaveLength(0);
    expect(models.importing).toBe(false);

    await models.importFile(new File(['x'], 'm.safetensors'), new File(['[1]'], 'v.json'), bytesOf);
    expect(models.importError).toBe('m.safetensors was not imported: v.json: the vocabulary list has a non-string at index 0');
    expect(client.importModel).toHaveBeenCalledTimes(1);
  });
});

describe('NewExperimentForm: start from an imported model', () => {
  function setup(plan: (spec: ExperimentSpecInput) => unknown) {
    const pinia = createPinia();
    setActivePinia(pinia);
    client = fakeClient({
      listModels: async () => [makeModel()],
      planExperiment: async ({ spec }) => plan(spec) as never,
    });
    provideLabClient(client);
    useCorporaStore().corpora = [{ id: 1, name: 'abc', kind: 'file', task: null, sha256: 'x', chars: 1_000_000, vocab: ['a', 'b', 'c'], validFraction: 0.1, source: null, createdAt: 0 }];
    return mount(NewExperimentForm, { props: { corpusId: 1, planDelayMs: 0 }, global: { plugins: [pinia] } });
  }

  it('replaces the cells and sizes by a note and sends initFrom with the model\'s cell and sizes', async () => {
    const wrapper = setup((spec) => ({ runs: spec.cells.map((cell) => ({ cell, seed: 1, hidden: 128, params: 54_321, memory: planMemory(1e6) })), estimateSeconds: 30 }));
    await settle();
    expect(wrapper.find('[data-field="cells"]').exists()).toBe(true);
    await wrapper.find('[data-testid="init-from"]').setValue('7');
    await settle();
    expect(wrapper.find('[data-field="cells"]').exists()).toBe(false);
    expect(wrapper.find('#field-hidden').exists()).toBe(false);
    expect(wrapper.find('#field-layers').exists()).toBe(false);
    expect(wrapper.find('#field-embedding').exists()).toBe(false);
    expect(wrapper.find('[data-testid="from-model-note"]').text()).toBe('Cell and sizes come from the model: lstm, 2 x 128.');
    const planned = client.planExperiment.mock.calls.at(-1)![0].spec;
    expect(planned).toMatchObject({ cells: ['lstm'], budget: { mode: 'hidden', hidden: 128 }, model: { layers: 2, embedding: 0 }, initFrom: { modelId: 7 } });
    expect(wrapper.find('[data-cell="lstm"] .param-count').text()).toBe('54,321');

    client.createExperiment.mockImplementation(async ({ corpusId, spec }) => ({
      experiment: { id: 3, name: 'x', corpusId, spec, createdAt: 0 }, spec: spec as never, runs: [],
    }));
    client.runExperiment.mockImplementation(async () => ({ queued: [] }));
    client.listExperiments.mockImplementation(async () => []);
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(client.createExperiment.mock.calls[0][0].spec).toMatchObject({ cells: ['lstm'], initFrom: { modelId: 7 } });

    // back to new weights: the cells return and initFrom goes
    await wrapper.findAll('[data-testid="init-from"] option')[0].setValue();
    await settle();
    expect(wrapper.find('[data-field="cells"]').exists()).toBe(true);
    expect(client.planExperiment.mock.calls.at(-1)![0].spec).not.toHaveProperty('initFrom');
  });

  it('shows the vocabulary mismatch beside the model picker', async () => {
    const message = 'initFrom: model 7 "tiny-lstm" cannot continue training on corpus "abc": the vocabularies differ (x); token ids must mean the same characters in both';
    const wrapper = setup((spec) => {
      if (spec.initFrom) throw new LabApiError('invalid-config', message);
      return { runs: [], estimateSeconds: 1 };
    });
    await settle();
    await wrapper.find('[data-testid="init-from"]').setValue('7');
    await settle();
    expect(wrapper.find('[data-field="initFrom"] .field-error').text()).toContain('the vocabularies differ');
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined();
  });
});

describe('Generate screen: imported models', () => {
  it('offers imported models, shows what they are, and generates with modelId', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    client = fakeClient({
      listModels: async () => [makeModel()],
      generate: async () => ({ text: 'abcab' }),
    });
    provideLabClient(client);
    const wrapper = mount(TheGenerateScreen, { global: { plugins: [pinia] } });
    await settle();
    const group = wrapper.find('optgroup[label="Imported models"]');
    expect(group.find('option').text()).toBe('tiny-lstm (lstm, 2 x 128)');
    await wrapper.find('[data-testid="generate-run"]').setValue('model:7');
    const info = wrapper.find('[data-testid="model-info"]').text();
    expect(info).toContain('lstm');
    expect(info).toContain('2 x 128');
    expect(info).toContain('54,321');
    expect(info).toContain('3 characters');
    await wrapper.find('form').trigger('submit');
    await settle();
    const req = client.generate.mock.calls[0][0];
    expect(req.modelId).toBe(7);
    expect(req).not.toHaveProperty('runId');
    expect(req).not.toHaveProperty('checkpoint');
    await vi.waitFor(() => expect(wrapper.find('[data-testid="generate-output"]').text()).toBe('abcab'));
  });

  it('imports a model from the Import model… panel and selects it', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    client = fakeClient({
      listModels: async () => [],
      importModel: async () => ({ model: makeModel(), existing: false }),
    });
    provideLabClient(client);
    const wrapper = mount(TheGenerateScreen, { global: { plugins: [pinia] } });
    await settle();
    await wrapper.find('[data-testid="import-model"]').trigger('click');
    const input = wrapper.find('[data-testid="model-file-input"]');
    const file = new File([new Uint8Array([9, 9])], 'tiny-lstm.safetensors');
    Object.defineProperty(input.element, 'files', { value: [file] });
    await input.trigger('change');
    await wrapper.find('[data-testid="import-model-submit"]').trigger('click');
    await settle();
    expect(client.importModel).toHaveBeenCalledWith({ name: 'tiny-lstm', bytes: new Uint8Array([9, 9]) });
    expect(useUiStore().generateModelId).toBe(7);
    expect(wrapper.find('[data-testid="model-info"]').exists()).toBe(true);
  });
});
