/**
 * The address and the stores kept in step (the routes themselves are in composables/route.ts):
 * what the stores show is written to the hash, a new place as a new history entry and a new
 * detail in place; Back, Forward and a hash typed by hand open what they name. Something the
 * address names that is no longer in the lab (a deleted experiment, a run of one) leaves the
 * screen on its empty state with ui.addressNotice saying so, rather than reporting an error.
 */
import { formatRoute, isNewPlace, parseRoute, type Route } from '../composables/route.ts';
import { watch } from 'vue';
import { tr } from '../i18n.ts';
import { useCorporaStore } from './corpora.ts';
import { useExperimentsStore } from './experiments.ts';
import { useInsideStore } from './inside.ts';
import { useModelsStore } from './models.ts';
import { useRunsStore } from './runs.ts';
import { useUiStore } from './ui.ts';

/** The route of what the stores show now. */
export function currentRoute(): Route {
  const ui = useUiStore();
  switch (ui.screen) {
    case 'corpora':
      return { screen: 'corpora', corpusId: ui.selectedCorpusId };
    case 'new-experiment':
      return { screen: 'new-experiment' };
    case 'experiment':
      return { screen: 'experiment', experimentId: ui.selectedExperimentId };
    case 'compare':
      return { screen: 'compare', runIds: [...ui.compareRunIds] };
    case 'generate':
      return { screen: 'generate', source: ui.generateModelId !== null ? { modelId: ui.generateModelId } : ui.generateRunId !== null ? { runId: ui.generateRunId } : null };
    case 'inside': {
      const inside = useInsideStore();
      const runIds = inside.section === 'flow' ? inside.flowRunIds : inside.section === 'losses' ? inside.lossRunIds : inside.gateRunId === null ? [] : [inside.gateRunId];
      return { screen: 'inside', experimentId: inside.experimentId, view: inside.section, runIds: [...runIds], checkpoint: inside.checkpoint };
    }
  }
}

/** Where a lab opens when the address names nothing: its newest experiment, else Corpora. */
export function startRoute(): Route {
  const newest = [...useExperimentsStore().experiments].sort((a, b) => b.createdAt - a.createdAt)[0];
  return newest ? { screen: 'experiment', experimentId: newest.id } : { screen: 'corpora', corpusId: null };
}

const runList = (ids: number[]): string => ids.map((id) => `#${id}`).join(', ');

const listed = (id: number): boolean => useExperimentsStore().experiments.some((x) => x.id === id);

/** Whether the lab has an experiment the list does not: the list is asked for again (another window may have made it). */
async function listedAfterReload(id: number): Promise<boolean> {
  await useExperimentsStore().load();
  return listed(id);
}

/** Every experiment's runs into the runs store; answers the ids among `ids` the lab does not have. */
async function missingRuns(ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const experiments = useExperimentsStore();
  const runs = useRunsStore();
  await Promise.all(experiments.experiments.map((x) => experiments.loadRuns(x.id)));
  const live = new Set(experiments.experiments.map((x) => x.id));
  return ids.filter((id) => !runs.runs[id] || !live.has(runs.runs[id].experimentId));
}

/** Makes the stores show a route, checking that what it names is still in the lab. */
export async function openRoute(route: Route): Promise<void> {
  const ui = useUiStore();
  const experiments = useExperimentsStore();
  ui.addressNotice = null;
  ui.show(route.screen);
  switch (route.screen) {
    case 'new-experiment':
      return;
    case 'corpora': {
      const corpora = useCorporaStore();
      const id = route.corpusId;
      if (id === null || corpora.corpora.some((c) => c.id === id)) return corpora.select(id);
      ui.selectedCorpusId = null;
      ui.addressNotice = tr('app.address.corpusMissing', { id });
      return;
    }
    case 'experiment': {
      const id = route.experimentId;
      if (id === null) {
        ui.selectedExperimentId = null;
        experiments.current = null;
        return;
      }
      if (!listed(id) && !(await listedAfterReload(id))) {
        ui.selectedExperimentId = null;
        experiments.current = null;
        ui.addressNotice = tr('app.address.experimentMissing', { id });
        return;
      }
      ui.selectedExperimentId = id;
      if (experiments.current?.experiment.id !== id) await experiments.open(id);
      return;
    }
    case 'compare': {
      ui.compareRunIds = [...route.runIds];
      const missing = await missingRuns(route.runIds);
      if (missing.length === 0) return;
      ui.compareRunIds = ui.compareRunIds.filter((id) => !missing.includes(id));
      ui.addressNotice = tr('app.address.runsMissing', { ids: runList(missing) }, missing.length);
      return;
    }
    case 'generate': {
      const s = route.source;
      ui.generateModelId = s !== null && 'modelId' in s ? s.modelId : null;
      ui.generateRunId = s !== null && 'runId' in s ? s.runId : null;
      if (s === null) return;
      if ('runId' in s) {
        if ((await missingRuns([s.runId])).length === 0) return;
        ui.generateRunId = null;
        ui.addressNotice = tr('app.address.runMissing', { id: s.runId });
        return;
      }
      const models = useModelsStore();
      if (!models.loaded) await models.load();
      if (models.byId(s.modelId)) return;
      ui.generateModelId = null;
      ui.addressNotice = tr('app.address.modelMissing', { id: s.modelId });
      return;
    }
    case 'inside': {
      const inside = useInsideStore();
      inside.section = route.view;
      inside.checkpoint = route.checkpoint;
      const id = route.experimentId;
      if (id === null) return;
      if (!listed(id) && !(await listedAfterReload(id))) {
        inside.experimentId = null;
        ui.addressNotice = tr('app.address.experimentMissing', { id });
        return;
      }
      if (route.view === 'flow') inside.flowRunIds = [...route.runIds];
      else if (route.view === 'losses') inside.lossRunIds = [...route.runIds];
      else inside.gateRunId = route.runIds[0] ?? null;
      await inside.open(id);
      const shown = currentRoute();
      const dropped = route.runIds.filter((r) => shown.screen === 'inside' && !shown.runIds.includes(r));
      if (dropped.length) ui.addressNotice = tr('app.address.runsNotTrained', { ids: runList(dropped) }, dropped.length);
      return;
    }
  }
}

/**
 * Keeps the address and the stores in step: opens what the address names now (or, naming
 * nothing, startRoute's place), then follows both ways. The first place replaces the entry the
 * page arrived with rather than adding one. `opened` settles when the first place is open.
 */
export function followAddress(win: Window = window): { opened: Promise<void>; stop: () => void } {
  let shown: string | null = null;
  /** routes being opened from the address: their intermediate states are not written back */
  let opening = 0;

  const write = (hash: string, push: boolean): void => {
    // only the hash changes: the path and query (the token is already gone from it) stay
    if (push) {
      win.history.pushState(null, '', hash);
      useUiStore().addressNotice = null;
    } else {
      win.history.replaceState(win.history.state, '', hash);
    }
    shown = hash;
  };

  const stopWatch = watch(() => formatRoute(currentRoute()), (hash) => {
    if (opening > 0 || shown === null || hash === shown) return;
    write(hash, isNewPlace(parseRoute(shown), currentRoute()));
  });

  /** Opens what the address names; once nothing more is opening, writes back what the stores show. */
  const open = async (): Promise<void> => {
    shown = win.location.hash;
    opening++;
    try {
      await openRoute(parseRoute(win.location.hash) ?? startRoute());
    } finally {
      opening--;
      if (opening === 0) {
        const hash = formatRoute(currentRoute());
        if (hash !== win.location.hash) write(hash, false);
        shown = hash;
      }
    }
  };
  const onAddress = (): void => {
    if (win.location.hash !== shown) void open();
  };
  // Back and Forward fire popstate; a hash typed in the address bar fires hashchange as well
  win.addEventListener('popstate', onAddress);
  win.addEventListener('hashchange', onAddress);
  return {
    opened: open(),
    stop: () => {
      stopWatch();
      win.removeEventListener('popstate', onAddress);
      win.removeEventListener('hashchange', onAddress);
    },
  };
}
