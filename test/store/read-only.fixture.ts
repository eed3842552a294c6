/**
 * Opens a lab as another user would (test/store/read-only.test.ts runs this as uid 65534 when the
 * tests run as root, who may write any file) and tries to browse and to write. Args: database
 * path, 'read-write' or 'read-only'. Prints what it saw as JSON: the corpora and experiments it
 * could list and what each write answered, or the error that refused the open.
 */
import { dispatch } from '../../src-main/api/methods.ts';
import { Lab } from '../../src-main/lab/lab.ts';

const [db, mode] = process.argv.slice(2);
const ctx = { emit: () => undefined, shell: 'test' };
const spec = { cells: ['gru'], budget: { mode: 'hidden', hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } };
const writes: [string, unknown][] = [
  ['importCorpus', { name: 'new', bytes: new TextEncoder().encode('xyzxyzxyw\n'.repeat(300)) }],
  ['createTaskCorpus', { task: 'reber', params: { length: 2000 } }],
  ['createExperiment', { corpusId: 1, name: 'new', spec }],
  ['runExperiment', { id: 1 }],
  ['duplicateRun', { id: 1 }],
  ['deleteExperiment', { id: 1 }],
  ['deleteCorpus', { id: 2 }],
];

async function main(): Promise<unknown> {
  let lab: Lab;
  try {
    lab = Lab.open({ db, workers: 1, readOnly: mode === 'read-only' });
  } catch (e) {
    const err = e as { name: string; code?: string; message: string };
    return { error: { name: err.name, code: err.code, message: err.message } };
  }
  const seen = {
    corpora: lab.listCorpora().map((c) => c.name),
    corpus: lab.corpus(1).stats.chars,
    experiments: lab.listExperiments().map((e) => e.name),
    runs: lab.experiment(1).runs.length,
    writes: {} as Record<string, unknown>,
  };
  for (const [method, req] of writes) seen.writes[method] = await dispatch(lab, method, req, ctx);
  await lab.close();
  return seen;
}

void main().then((r) => process.stdout.write(JSON.stringify(r)));
