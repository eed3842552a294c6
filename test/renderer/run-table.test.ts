// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import type { Run } from '../../src-main/api/contract.ts';
import RunTable from '../../src-renderer/components/RunTable.vue';
import { provideLabClient } from '../../src-renderer/stores/lab-client.ts';
import { useRunsStore } from '../../src-renderer/stores/runs.ts';
import { fakeClient, makeRun, metricRow } from './fake-client.ts';

function setup(runs: Run[]) {
  const pinia = createPinia();
  setActivePinia(pinia);
  provideLabClient(fakeClient());
  const store = useRunsStore();
  for (const r of runs) store.upsertRun(r);
  const spy = vi.spyOn(store, 'runAction').mockResolvedValue(null);
  const wrapper = mount(RunTable, { props: { runs }, global: { plugins: [pinia] } });
  return { wrapper, store, spy };
}

describe('RunTable', () => {
  it('offers the actions that fit each status and calls the matching store action', async () => {
    const runs = [
      makeRun({ id: 1, status: 'running', step: 250, steps: 1000, elapsed: 25 }),
      makeRun({ id: 2, status: 'paused', cell: 'gru', step: 100 }),
      makeRun({ id: 3, status: 'completed', cell: 'rnn', step: 1000 }),
      makeRun({ id: 4, status: 'queued', cell: 'lstm-peephole' }),
    ];
    const { wrapper, spy } = setup(runs);
    const actionsOf = (id: number) => wrapper.findAll(`tr[data-run="${id}"] button`).map((b) => b.attributes('data-action'));
    expect(actionsOf(1)).toEqual(['pause', 'cancel', 'duplicate']);
    expect(actionsOf(2)).toEqual(['resume', 'cancel', 'duplicate']);
    expect(actionsOf(3)).toEqual(['duplicate']);
    expect(actionsOf(4)).toEqual(['resume', 'pause', 'cancel', 'duplicate']);

    await wrapper.find('tr[data-run="1"] button[data-action="pause"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(1, 'pause');
    await wrapper.find('tr[data-run="2"] button[data-action="resume"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(2, 'resume');
    await wrapper.find('tr[data-run="1"] button[data-action="cancel"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(1, 'cancel');
    await wrapper.find('tr[data-run="3"] button[data-action="duplicate"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(3, 'duplicate');
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it('shows progress, speed, time left and losses from the live rows', async () => {
    const run = makeRun({ id: 1, status: 'running', step: 250, steps: 1000, elapsed: 25, bestValLoss: 1.8765, params: 123_456 });
    const { wrapper, store } = setup([run]);
    store.handleEvent({ type: 'metrics', runId: 1, rows: [{ ...metricRow(250, 2.3456, 25), charsPerSecond: 54_321 }] });
    await flushPromises();
    const cells = wrapper.findAll('tr[data-run="1"] td').map((c) => c.text());
    expect(wrapper.find('tr[data-run="1"] progress').attributes('value')).toBe('0.25');
    expect(cells).toContain('250 / 1,000');
    expect(cells).toContain('54.3k');
    expect(cells).toContain('1m 15s'); // 750 steps to go at 0.1 s a step
    expect(cells).toContain('2.346');
    expect(cells).toContain('1.877');
    expect(cells).toContain('123.5k');
  });
});
