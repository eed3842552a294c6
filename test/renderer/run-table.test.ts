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
  const wrapper = mount(RunTable, { props: { runs }, global: { plugins: [pinia] }, attachTo: document.body });
  return { wrapper, store, spy };
}

/** the text of each cell of a run's row */
const cellsOf = (wrapper: ReturnType<typeof setup>['wrapper'], id: number) => wrapper.findAll(`tr[data-run="${id}"] td`).map((c) => c.text());
const dialog = () => document.body.querySelector('[role="dialog"]');
const dialogButton = (name: string) => [...document.body.querySelectorAll<HTMLButtonElement>('[role="dialog"] button')].find((b) => b.textContent?.trim() === name)!;

describe('RunTable', () => {
  it('offers the actions that fit each status and calls the matching store action', async () => {
    const runs = [
      makeRun({ id: 1, status: 'running', step: 250, steps: 1000, elapsed: 25 }),
      makeRun({ id: 2, status: 'paused', cell: 'gru', step: 100 }),
      makeRun({ id: 3, status: 'completed', cell: 'rnn', step: 1000 }),
      makeRun({ id: 4, status: 'not-started', cell: 'lstm-peephole' }),
      makeRun({ id: 5, status: 'waiting', cell: 'gru', queue: { position: 2, threads: 1 } }),
      makeRun({ id: 6, status: 'interrupted', cell: 'rnn', step: 300 }),
      makeRun({ id: 7, status: 'failed', cell: 'rnn', step: 30, error: 'diverged at step 30' }),
      makeRun({ id: 8, status: 'cancelled', cell: 'rnn', step: 50 }),
    ];
    const { wrapper, spy } = setup(runs);
    const actionsOf = (id: number) => wrapper.findAll(`tr[data-run="${id}"] button`).map((b) => b.attributes('data-action'));
    expect(actionsOf(1)).toEqual(['pause', 'cancel', 'duplicate']);
    expect(actionsOf(2)).toEqual(['resume', 'cancel', 'duplicate']);
    expect(actionsOf(3)).toEqual(['duplicate']);
    // a run that never started has nothing to pause or cancel: it can be started
    expect(actionsOf(4)).toEqual(['resume', 'duplicate']);
    expect(wrapper.find('tr[data-run="4"] button[data-action="resume"]').text()).toBe('Start');
    // pausing a waiting run takes it out of the queue, and the button says so
    expect(actionsOf(5)).toEqual(['pause', 'cancel', 'duplicate']);
    expect(wrapper.find('tr[data-run="5"] button[data-action="pause"]').attributes('title')).toMatch(/out of the queue/);
    expect(actionsOf(6)).toEqual(['resume', 'cancel', 'duplicate']);
    expect(actionsOf(7)).toEqual(['duplicate']);
    expect(actionsOf(8)).toEqual(['duplicate']);

    await wrapper.find('tr[data-run="1"] button[data-action="pause"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(1, 'pause');
    await wrapper.find('tr[data-run="2"] button[data-action="resume"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(2, 'resume');
    await wrapper.find('tr[data-run="1"] button[data-action="cancel"]').trigger('click');
    // cancel asks first
    expect(spy).toHaveBeenCalledTimes(2);
    dialogButton('Cancel the run').click();
    await flushPromises();
    expect(spy).toHaveBeenLastCalledWith(1, 'cancel');
    await wrapper.find('tr[data-run="3"] button[data-action="duplicate"]').trigger('click');
    expect(spy).toHaveBeenLastCalledWith(3, 'duplicate');
    expect(spy).toHaveBeenCalledTimes(4);
    wrapper.unmount();
  });

  it('asks before cancelling, and keeps the run when the answer is no', async () => {
    const { wrapper, spy } = setup([makeRun({ id: 1, status: 'running', cell: 'gru', seed: 2, step: 250 }), makeRun({ id: 2, status: 'waiting', queue: { position: 1, threads: 1 } })]);
    await wrapper.find('tr[data-run="1"] button[data-action="cancel"]').trigger('click');
    expect(dialog()?.getAttribute('aria-label')).toBe('Cancel run 1 (gru s2)?');
    expect(dialog()?.textContent).toMatch(/cannot be resumed/);
    dialogButton('Keep it').click();
    await flushPromises();
    expect(dialog()).toBeNull();
    await wrapper.find('tr[data-run="2"] button[data-action="cancel"]').trigger('click');
    expect(dialog()?.textContent).toMatch(/leaves the queue/);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(dialog()).toBeNull();
    expect(spy).not.toHaveBeenCalled();
    wrapper.unmount();
  });

  it('says each state plainly: a waiting run\'s place and why it waits, an interrupted run can be resumed, a failure\'s reason', () => {
    const { wrapper } = setup([
      makeRun({ id: 1, status: 'not-started' }),
      makeRun({ id: 2, status: 'waiting', queue: { position: 1, threads: 2 } }),
      makeRun({ id: 3, status: 'waiting', queue: { position: 2, threads: 1 } }),
      makeRun({ id: 4, status: 'interrupted', step: 40 }),
      makeRun({ id: 5, status: 'failed', error: 'diverged at step 30' }),
    ]);
    const status = (id: number) => cellsOf(wrapper, id)[2];
    expect(status(1)).toBe('not started');
    expect(status(2)).toBe('waiting · 1st in line, needs 2 free threads');
    expect(status(3)).toBe('waiting · 2nd in line');
    expect(status(4)).toBe('interrupted · can be resumed');
    expect(status(5)).toBe('failed · diverged at step 30');
    expect(wrapper.find('tr[data-run="2"] .status').attributes('title')).toMatch(/starts by itself/);
  });

  it('shows a status it does not know as it came, badge title included', () => {
    const { wrapper } = setup([makeRun({ id: 1, status: 'archived' as Run['status'] })]);
    const badge = wrapper.find('tr[data-run="1"] .status');
    expect([badge.text(), badge.attributes('title')]).toEqual(['archived', 'archived']);
    wrapper.unmount();
  });

  it('tells duplicates of a cell and seed apart', () => {
    const { wrapper } = setup([makeRun({ id: 1, seed: 1 }), makeRun({ id: 2, seed: 1, copy: 1 }), makeRun({ id: 3, seed: 1, copy: 2 })]);
    expect([1, 2, 3].map((id) => cellsOf(wrapper, id)[1])).toEqual(['1', '1 (copy 1)', '1 (copy 2)']);
    expect(wrapper.find('tr[data-run="3"] button[data-action="duplicate"]').attributes('aria-label')).toBe('Duplicate run 3 (lstm s1 (copy 2))');
  });

  it('shows progress, speed, time left and losses from the live rows', async () => {
    const run = makeRun({ id: 1, status: 'running', step: 250, steps: 1000, elapsed: 25, bestValLoss: 1.8765, params: 123_456 });
    const { wrapper, store } = setup([run]);
    store.handleEvent({ type: 'metrics', runId: 1, rows: [{ ...metricRow(250, 2.3456, 25), charsPerSecond: 54_321 }] });
    await flushPromises();
    const cells = cellsOf(wrapper, 1);
    expect(wrapper.find('tr[data-run="1"] progress').attributes('value')).toBe('0.25');
    expect(cells).toContain('250 / 1,000');
    expect(cells).toContain('54.3k');
    expect(cells).toContain('1m 15s'); // 750 steps to go at 0.1 s a step
    expect(cells).toContain('2.346');
    expect(cells).toContain('1.877');
    expect(cells).toContain('123.5k');
  });

  it('shows time left only on a running run', () => {
    const { wrapper } = setup([
      makeRun({ id: 1, status: 'paused', step: 250, steps: 1000, elapsed: 25 }),
      makeRun({ id: 2, status: 'waiting', step: 250, steps: 1000, elapsed: 25, queue: { position: 1, threads: 1 } }),
      makeRun({ id: 3, status: 'running', step: 250, steps: 1000, elapsed: 25 }),
    ]);
    expect([1, 2, 3].map((id) => cellsOf(wrapper, id)[6])).toEqual(['–', '–', '1m 15s']);
  });
});
