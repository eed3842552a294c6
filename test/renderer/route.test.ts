/** The address's hash as a route and back: every screen, forgiving parsing, and which moves make a history entry. */
import { describe, expect, it } from 'vitest';
import { formatRoute, isNewPlace, parseRoute, type Route } from '../../src-renderer/composables/route.ts';

describe('routes', () => {
  it('read the addresses the app writes', () => {
    expect(parseRoute('#/experiment/12')).toEqual({ screen: 'experiment', experimentId: 12 });
    expect(parseRoute('#/compare?runs=3,4,9')).toEqual({ screen: 'compare', runIds: [3, 4, 9] });
    expect(parseRoute('#/inside/12?runs=5,7')).toEqual({ screen: 'inside', experimentId: 12, view: 'flow', runIds: [5, 7], checkpoint: 'best' });
    expect(parseRoute('#/inside/12?view=gates&runs=5&checkpoint=last')).toEqual({ screen: 'inside', experimentId: 12, view: 'gates', runIds: [5], checkpoint: 'last' });
    expect(parseRoute('#/generate?run=5')).toEqual({ screen: 'generate', source: { runId: 5 } });
    expect(parseRoute('#/generate?model=2')).toEqual({ screen: 'generate', source: { modelId: 2 } });
    expect(parseRoute('#/corpora/3')).toEqual({ screen: 'corpora', corpusId: 3 });
    expect(parseRoute('#/new-experiment')).toEqual({ screen: 'new-experiment' });
  });

  it('come back the same through formatRoute, defaults left out of the address', () => {
    const routes: Route[] = [
      { screen: 'corpora', corpusId: null },
      { screen: 'corpora', corpusId: 3 },
      { screen: 'new-experiment' },
      { screen: 'experiment', experimentId: null },
      { screen: 'experiment', experimentId: 12 },
      { screen: 'compare', runIds: [] },
      { screen: 'compare', runIds: [9, 3, 4] },
      { screen: 'generate', source: null },
      { screen: 'generate', source: { runId: 5 } },
      { screen: 'generate', source: { modelId: 2 } },
      { screen: 'inside', experimentId: null, view: 'flow', runIds: [], checkpoint: 'best' },
      { screen: 'inside', experimentId: 12, view: 'losses', runIds: [1, 2], checkpoint: 'last' },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(formatRoute({ screen: 'compare', runIds: [] })).toBe('#/compare');
    expect(formatRoute({ screen: 'compare', runIds: [3, 4, 9] })).toBe('#/compare?runs=3,4,9');
    expect(formatRoute({ screen: 'inside', experimentId: 12, view: 'flow', runIds: [5], checkpoint: 'best' })).toBe('#/inside/12?runs=5');
    expect(formatRoute({ screen: 'inside', experimentId: 12, view: 'gates', runIds: [5], checkpoint: 'last' })).toBe('#/inside/12?view=gates&runs=5&checkpoint=last');
  });

  it('forgive what a hand-typed address gets wrong, dropping what is not an id', () => {
    expect(parseRoute('#/experiment/abc')).toEqual({ screen: 'experiment', experimentId: null });
    expect(parseRoute('#/experiment/0')).toEqual({ screen: 'experiment', experimentId: null });
    expect(parseRoute('#/experiment/-4')).toEqual({ screen: 'experiment', experimentId: null });
    expect(parseRoute('#/experiment/1e3')).toEqual({ screen: 'experiment', experimentId: null });
    expect(parseRoute('#/experiment/12/')).toEqual({ screen: 'experiment', experimentId: 12 });
    expect(parseRoute('#experiment/12')).toEqual({ screen: 'experiment', experimentId: 12 });
    expect(parseRoute('#/compare?runs=3, x,3,0,,4')).toEqual({ screen: 'compare', runIds: [3, 4] });
    expect(parseRoute('#/inside/12?view=everything&checkpoint=first')).toEqual({ screen: 'inside', experimentId: 12, view: 'flow', runIds: [], checkpoint: 'best' });
    expect(parseRoute('#/generate?run=x')).toEqual({ screen: 'generate', source: null });
  });

  it('are no route at all for an address that names no screen', () => {
    for (const hash of ['', '#', '#/', '#/settings', '#/Experiment/12', '#/__proto__']) expect(parseRoute(hash)).toBeNull();
  });
});

describe('a history entry', () => {
  const experiment = (id: number | null): Route => ({ screen: 'experiment', experimentId: id });
  const inside = (id: number | null, runIds: number[] = []): Route => ({ screen: 'inside', experimentId: id, view: 'flow', runIds, checkpoint: 'best' });

  it('is made for another screen, or another experiment or corpus', () => {
    expect(isNewPlace(null, experiment(1))).toBe(true);
    expect(isNewPlace(experiment(1), { screen: 'compare', runIds: [] })).toBe(true);
    expect(isNewPlace(experiment(1), experiment(2))).toBe(true);
    expect(isNewPlace(inside(1), inside(2))).toBe(true);
    expect(isNewPlace({ screen: 'corpora', corpusId: 1 }, { screen: 'corpora', corpusId: 2 })).toBe(true);
  });

  it('is not made for a detail: runs ticked, a selection filled in or cleared', () => {
    expect(isNewPlace({ screen: 'compare', runIds: [1] }, { screen: 'compare', runIds: [1, 2] })).toBe(false);
    expect(isNewPlace(inside(1, [3]), inside(1, [3, 4]))).toBe(false);
    expect(isNewPlace({ screen: 'generate', source: { runId: 1 } }, { screen: 'generate', source: { runId: 2 } })).toBe(false);
    // a screen that picks its default (Inside the cells opens the latest experiment) must not trap Back behind it
    expect(isNewPlace(inside(null), inside(3))).toBe(false);
    expect(isNewPlace(experiment(3), experiment(null))).toBe(false);
  });
});
