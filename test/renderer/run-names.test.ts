// @vitest-environment happy-dom
// A duplicate is named apart from the run it copies wherever runs are named: the chart lines and
// their legends, the samples, the pickers of Inside the cells; and a cell with a duplicate counts
// its distinct seeds.
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import RunLegend from '../../src-renderer/components/RunLegend.vue';
import { chartLines, figureLegend } from '../../src-renderer/composables/chart-lines.ts';
import { pickLabel } from '../../src-renderer/composables/inside-runs.ts';
import { groupRuns } from '../../src-shared/seed-groups.ts';
import { makeRun } from './fake-client.ts';

const runs = [
  makeRun({ id: 1, cell: 'lstm', seed: 1, status: 'completed' }),
  makeRun({ id: 2, cell: 'lstm', seed: 2, status: 'completed' }),
  makeRun({ id: 3, cell: 'lstm', seed: 1, copy: 1, status: 'completed' }),
  makeRun({ id: 4, cell: 'gru', seed: 1, status: 'completed' }),
  makeRun({ id: 5, cell: 'gru', seed: 1, copy: 1, status: 'completed' }),
];
const groups = groupRuns(runs);
const oneLine = (rs: { id: number }[], key: string | null) => [{ key: `${key ?? rs[0].id}:train`, kind: 'train' as const, points: [{ x: 1, y: 1 }] }];

describe('names of duplicated runs', () => {
  it('are unique on the chart lines and in a saved figure\'s legend', () => {
    const perRun = chartLines(runs, groups, 'runs', new Set(), oneLine);
    expect(perRun.map((l) => l.label)).toEqual(['1 lstm s1 train', '2 lstm s2 train', '3 lstm s1 (copy 1) train', '4 gru s1 train', '5 gru s1 (copy 1) train']);
    expect(new Set(perRun.map((l) => l.entity)).size).toBe(runs.length);
    // a cell's mean counts its seeds, not its runs
    expect(figureLegend(chartLines(runs, groups, 'mean', new Set(), oneLine)).map((i) => i.label).slice(0, 2)).toEqual([
      'LSTM, mean of 2 seeds, 3 runs', 'GRU, mean of 1 seed, 2 runs',
    ]);
  });

  it('are unique on the legend toggles, which count distinct seeds', () => {
    setActivePinia(createPinia());
    const perRun = mount(RunLegend, { props: { runs, hidden: new Set<number>() } });
    expect(perRun.findAll('button').map((b) => b.text())).toEqual(['lstm s1 #1', 'lstm s2 #2', 'lstm s1 (copy 1) #3', 'gru s1 #4', 'gru s1 (copy 1) #5']);
    const perCell = mount(RunLegend, { props: { runs, hidden: new Set<number>(), groups, mode: 'mean' } });
    expect(perCell.findAll('button').map((b) => b.text())).toEqual(['LSTM 2 seeds, 3 runs', 'GRU 1 seed, 2 runs']);
  });

  it('are unique where Inside the cells offers the runs', () => {
    expect(runs.map(pickLabel)).toEqual(['LSTM s1 (#1)', 'LSTM s2 (#2)', 'LSTM s1 (copy 1) (#3)', 'GRU s1 (#4)', 'GRU s1 (copy 1) (#5)']);
  });
});
