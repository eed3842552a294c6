// @vitest-environment happy-dom
/** The samples on the Experiment screen: each run's newest, paged back and forth over training. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import SampleBoard from '../../src-renderer/components/SampleBoard.vue';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { fakeClient, makeRun } from './fake-client.ts';

function setup() {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  const store = useRunsStore();
  const runs = [makeRun({ id: 1, cell: 'lstm', status: 'running', step: 30 }), makeRun({ id: 2, cell: 'gru', status: 'not-started', step: 0 })];
  for (const r of runs) store.upsertRun(r);
  const sample = (step: number) => store.handleEvent({ type: 'sample', runId: 1, step, prime: '\n', temperature: 0.8, text: `text at ${step}` });
  for (const step of [10, 20, 30]) sample(step);
  return { pinia, runs, sample };
}

describe('the sample board', () => {
  it("shows each run's newest sample and pages through the older ones, one at a time", async () => {
    const { pinia, runs } = setup();
    const w = mount(SampleBoard, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    const lstm = () => w.find('[data-run="1"]');
    const shown = () => [lstm().find('pre').text(), lstm().find('[data-testid="sample-page"]').text(), lstm().find('.meta').text()];
    expect(shown()).toEqual(['text at 30', '3 of 3', 'during training, step 30, temperature 0.8']);
    const [older, newer] = lstm().findAll('.pager button');
    expect(newer.attributes('disabled')).toBeDefined();
    await older.trigger('click');
    expect(shown()).toEqual(['text at 20', '2 of 3', 'during training, step 20, temperature 0.8']);
    await older.trigger('click');
    expect(shown()[0]).toBe('text at 10');
    expect(older.attributes('disabled')).toBeDefined();
    await newer.trigger('click');
    expect(shown()[0]).toBe('text at 20');
    // a run without samples says when they come
    expect(w.find('[data-run="2"]').text()).toContain('No sample yet: one comes with each evaluation.');
    expect(w.find('[data-run="2"] .pager').exists()).toBe(false);
  });

  it('keeps the sample the user paged to when a new one arrives, and follows new ones from the newest', async () => {
    const { pinia, runs, sample } = setup();
    const w = mount(SampleBoard, { props: { runs }, global: { plugins: [pinia] } });
    await flushPromises();
    const text = () => w.find('[data-run="1"] pre').text();
    sample(40);
    await flushPromises();
    expect(text()).toBe('text at 40');
    await w.find('[data-run="1"] .pager button').trigger('click');
    expect(text()).toBe('text at 30');
    sample(50);
    await flushPromises();
    expect(text()).toBe('text at 30');
    expect(w.find('[data-run="1"] [data-testid="sample-page"]').text()).toBe('3 of 5');
    // back at the newest, the board follows again
    const newer = w.findAll('[data-run="1"] .pager button')[1];
    await newer.trigger('click');
    expect(text()).toBe('text at 40');
    await newer.trigger('click');
    expect(text()).toBe('text at 50');
    sample(60);
    await flushPromises();
    expect(text()).toBe('text at 60');
  });
});
