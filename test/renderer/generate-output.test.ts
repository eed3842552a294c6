// @vitest-environment happy-dom
/** Generate's output: copied to the clipboard or saved as a .txt file once it has all arrived, with a message either way. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExperimentSummary } from '../../src-main/api/contract.ts';
import TheGenerateScreen from '../../src-renderer/components/TheGenerateScreen.vue';
import { useExperimentsStore } from '../../src-renderer/stores/experiments.ts';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useUiStore } from '../../src-renderer/stores/ui.ts';
import { fakeClient, makeRun } from './fake-client.ts';

const RUN = makeRun({ id: 5, experimentId: 1, cell: 'gru', seed: 2, status: 'completed', step: 100, steps: 100 });

async function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  let finish: (text: string) => void = () => {};
  const client = fakeClient({
    getExperiment: async () => ({ experiment: { id: 1, name: 'Tiny: cells', corpusId: 1, spec: {}, createdAt: 0 }, spec: {} as never, runs: [RUN] }),
    listModels: async () => [],
    generate: () => new Promise((done) => (finish = (text) => done({ text }))),
  });
  provideLabClient(client);
  useExperimentsStore().experiments = [{ id: 1, name: 'Tiny: cells', corpusId: 1, spec: {}, createdAt: 0, corpusName: 'c', runs: 1, runCounts: {} } as ExperimentSummary];
  useUiStore().generateRunId = RUN.id;
  const wrapper = mount(TheGenerateScreen, { global: { plugins: [pinia] }, attachTo: document.body });
  await flushPromises();
  await wrapper.find('input[placeholder^="text the model continues"]').setValue('To be');
  await wrapper.find('form').trigger('submit');
  await flushPromises();
  return { wrapper, finish: async (text: string) => {
    finish(text);
    await flushPromises();
  } };
}

const button = (w: Awaited<ReturnType<typeof setup>>['wrapper'], id: string) => w.find(`[data-testid="${id}"]`).element as HTMLButtonElement;

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe("Generate's output", () => {
  it('cannot be copied or saved until the text has arrived', async () => {
    const { wrapper, finish } = await setup();
    expect([button(wrapper, 'copy-output').disabled, button(wrapper, 'save-output').disabled]).toEqual([true, true]);
    await finish(', or not');
    expect([button(wrapper, 'copy-output').disabled, button(wrapper, 'save-output').disabled]).toEqual([false, false]);
    wrapper.unmount();
  });

  it('copies the prime and the text, and says so', async () => {
    const { wrapper, finish } = await setup();
    await finish(', or not');
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    // the prime typed since is not what the text was generated from
    await wrapper.find('input[placeholder^="text the model continues"]').setValue('Later');
    await wrapper.find('[data-testid="copy-output"]').trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('To be, or not');
    expect(useUiStore().toasts.map((t) => [t.kind, t.text])).toEqual([['success', 'The text (13 characters) is on the clipboard.']]);
    wrapper.unmount();
  });

  it('says what to do where the page may not write to the clipboard', async () => {
    const { wrapper, finish } = await setup();
    await finish('!');
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    await wrapper.find('[data-testid="copy-output"]').trigger('click');
    expect(useUiStore().toasts.map((t) => t.kind)).toEqual(['error']);
    expect(useUiStore().toasts[0].text).toContain('Use Save .txt instead.');
    wrapper.unmount();
  });

  it('saves the prime and the text as a .txt file named after the run', async () => {
    const { wrapper, finish } = await setup();
    await finish(', or not');
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:saved';
    });
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    await wrapper.find('[data-testid="save-output"]').trigger('click');
    expect(names).toEqual(['Tiny- cells gru s2 best text.txt']);
    expect(await blobs[0].text()).toBe('To be, or not');
    expect(blobs[0].type).toBe('text/plain;charset=utf-8');
    expect(useUiStore().toasts.map((t) => t.text)).toEqual(['Saved the text as Tiny- cells gru s2 best text.txt.']);
    wrapper.unmount();
  });
});
