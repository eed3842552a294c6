/**
 * Where the app is, as the address's hash: the screen and what it shows, so that a reload, a
 * bookmark and Back/Forward keep the view. The hash (not the path) carries it because the desktop
 * app is a file:// page and browser mode serves one page at /.
 *
 *   #/corpora/3                       Corpora, corpus 3 selected
 *   #/new-experiment
 *   #/experiment/12                   the Experiment screen on experiment 12
 *   #/compare?runs=3,4,9              Compare, these runs in this order
 *   #/generate?run=5                  Generate from run 5 (or ?model=2: an imported model)
 *   #/inside/12?view=gates&runs=5&checkpoint=last
 *
 * Parsing is forgiving, as an address is typed by hand: an id that is not a whole number above 0
 * is dropped, and an unknown screen parses as no route at all. Whether an id still names something
 * in the lab is for the caller to check (routing.ts), as only it knows the lab.
 */
import type { CheckpointKind } from '../../src-main/api/contract.ts';
import type { InsideSection } from '../stores/inside.ts';

export type GenerateSource = { runId: number } | { modelId: number } | null;

export type Route =
  | { screen: 'corpora'; corpusId: number | null }
  | { screen: 'new-experiment' }
  | { screen: 'experiment'; experimentId: number | null }
  | { screen: 'compare'; runIds: number[] }
  | { screen: 'generate'; source: GenerateSource }
  | { screen: 'inside'; experimentId: number | null; view: InsideSection; runIds: number[]; checkpoint: CheckpointKind };

const INSIDE_VIEWS: readonly InsideSection[] = ['flow', 'gates', 'losses'];
const CHECKPOINTS: readonly CheckpointKind[] = ['best', 'last'];

/** A positive whole number written in plain digits, else null. */
function id(text: string | null | undefined): number | null {
  if (!text || !/^[1-9]\d{0,14}$/.test(text)) return null;
  return Number(text);
}

/** "3,4,9" as ids, in order, without repeats or the parts that are not ids. */
function ids(text: string | null): number[] {
  const out: number[] = [];
  for (const part of (text ?? '').split(',')) {
    const n = id(part.trim());
    if (n !== null && !out.includes(n)) out.push(n);
  }
  return out;
}

/** The route a hash names ("#/compare?runs=3,4"), or null when it names no screen. */
export function parseRoute(hash: string): Route | null {
  const body = hash.replace(/^#/, '');
  const q = body.indexOf('?');
  const path = (q < 0 ? body : body.slice(0, q)).split('/').filter((s) => s !== '');
  const params = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  const [screen, arg] = path;
  switch (screen) {
    case 'corpora':
      return { screen: 'corpora', corpusId: id(arg) };
    case 'new-experiment':
      return { screen: 'new-experiment' };
    case 'experiment':
      return { screen: 'experiment', experimentId: id(arg) };
    case 'compare':
      return { screen: 'compare', runIds: ids(params.get('runs')) };
    case 'generate': {
      const model = id(params.get('model'));
      const run = id(params.get('run'));
      return { screen: 'generate', source: model !== null ? { modelId: model } : run !== null ? { runId: run } : null };
    }
    case 'inside': {
      const view = params.get('view') as InsideSection | null;
      const checkpoint = params.get('checkpoint') as CheckpointKind | null;
      return {
        screen: 'inside',
        experimentId: id(arg),
        view: view !== null && INSIDE_VIEWS.includes(view) ? view : 'flow',
        runIds: ids(params.get('runs')),
        checkpoint: checkpoint !== null && CHECKPOINTS.includes(checkpoint) ? checkpoint : 'best',
      };
    }
    default:
      return null;
  }
}

/** The hash of a route; parseRoute(formatRoute(r)) is r. Defaults are left out. */
export function formatRoute(route: Route): string {
  const withId = (n: number | null): string => `#/${route.screen}${n === null ? '' : `/${n}`}`;
  const query = (entries: [string, string | null][]): string => {
    const kept = entries.filter((e): e is [string, string] => e[1] !== null && e[1] !== '');
    // ids and the few words used here need no escaping; commas stay readable
    return kept.length ? `?${kept.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  };
  switch (route.screen) {
    case 'corpora':
      return withId(route.corpusId);
    case 'new-experiment':
      return '#/new-experiment';
    case 'experiment':
      return withId(route.experimentId);
    case 'compare':
      return `#/compare${query([['runs', route.runIds.join(',')]])}`;
    case 'generate': {
      const s = route.source;
      return `#/generate${query(s === null ? [] : 'modelId' in s ? [['model', String(s.modelId)]] : [['run', String(s.runId)]])}`;
    }
    case 'inside':
      return withId(route.experimentId) + query([
        ['view', route.view === 'flow' ? null : route.view],
        ['runs', route.runIds.join(',')],
        ['checkpoint', route.checkpoint === 'best' ? null : route.checkpoint],
      ]);
  }
}

/** The id a screen is about (its experiment or corpus), for telling a new place from a new detail. */
function subject(r: Route): number | null {
  if (r.screen === 'experiment' || r.screen === 'inside') return r.experimentId;
  if (r.screen === 'corpora') return r.corpusId;
  return null;
}

/**
 * Whether going from one route to the next is a new place worth a history entry (Back returns
 * to it): another screen, or one experiment or corpus for another. Ticking runs, switching a view,
 * filling in a selection that was empty or clearing one only updates the current entry, so Back
 * is not a long undo list (and a screen that picks a default never traps Back behind it).
 */
export function isNewPlace(from: Route | null, to: Route): boolean {
  if (from === null || from.screen !== to.screen) return true;
  const [before, after] = [subject(from), subject(to)];
  return before !== null && after !== null && before !== after;
}
