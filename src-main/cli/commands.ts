/** The rnn-lab commands: each parses its options, calls the lab, and prints text or returns JSON. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { CellName } from '../../src-worker/engine/cells/index.ts';
import type { OptimizerName } from '../../src-worker/engine/config.ts';
import { CorpusError, prepareCorpus } from '../lab/corpora.ts';
import { exportMetrics, exportReport } from '../api/exports.ts';
import { LabError, type Lab, type RunConfig } from '../lab/lab.ts';
import { TASKS, type TaskName } from '../lab/tasks/index.ts';
import { isLoopback, startServer } from '../server/server.ts';
import type { CheckpointKind, ExperimentSpecInput, LabEvent, Run } from '../api/types.ts';
import { runDemo } from './demo.ts';
import { realNumber, wholeNumber, type Io } from './main.ts';
import { ProgressView } from './progress.ts';

export interface Context {
  lab: Lab;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  io: Io;
  json: boolean;
  /** set by a command that succeeded but must exit non-zero (130 after Ctrl-C) */
  exitCode?: number;
}

export interface Command {
  positionals?: string[];
  options?: ParseArgsConfig['options'];
  /** false: runs without opening the database */
  needsLab?: boolean;
  run(ctx: Context): Promise<unknown> | unknown;
}

const str = (ctx: Context, name: string): string | undefined => ctx.values[name] as string | undefined;
const id = (ctx: Context): number => wholeNumber('ID', ctx.positionals[0]);
const checkpointOption = { checkpoint: { type: 'string' as const, default: 'best' } };

function whichCheckpoint(ctx: Context, fallback?: CheckpointKind): CheckpointKind {
  const c = str(ctx, 'checkpoint') ?? fallback;
  if (c !== 'best' && c !== 'last') throw new LabError('bad-input', `--checkpoint must be best or last, got ${JSON.stringify(c)}`);
  return c;
}

function readFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new LabError('bad-input', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writeFile(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new LabError('bad-input', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function runLabel(r: Run): string {
  return `${r.cell} seed ${r.seed}`;
}

/** Trains the given runs in the foreground with progress; Ctrl-C pauses them with a checkpoint. */
async function trainInForeground(ctx: Context, runIds: number[]): Promise<Run[]> {
  const { lab, io } = ctx;
  const view = ctx.json ? null : new ProgressView(ctx.io.stdout);
  const latest = new Map<number, { trainLoss: number | null; valLoss: number | null; cps: number | null; step: number }>();
  const show = (run: Run): void => {
    const l = latest.get(run.id);
    view?.update({ id: run.id, label: runLabel(run), status: run.status, step: l?.step ?? run.step, steps: run.steps, trainLoss: l?.trainLoss ?? null, valLoss: l?.valLoss ?? run.bestValLoss, charsPerSecond: l?.cps ?? null });
  };
  const off = lab.on((e: LabEvent) => {
    if (e.type === 'run') {
      if (runIds.includes(e.run.id)) show(e.run);
      return;
    }
    if (!runIds.includes(e.runId)) return;
    const l = latest.get(e.runId) ?? { trainLoss: null, valLoss: null, cps: null, step: 0 };
    if (e.type === 'metrics') {
      const last = e.rows[e.rows.length - 1];
      Object.assign(l, { trainLoss: last.trainLoss, cps: last.charsPerSecond, step: last.step });
    } else if (e.type === 'eval') {
      l.valLoss = e.valLoss;
    } else {
      return;
    }
    latest.set(e.runId, l);
    show(lab.run(e.runId));
  });
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) return;
    interrupted = true;
    io.err('\npausing (writing checkpoints)...\n');
    for (const runId of lab.busy) {
      try {
        lab.pauseRun(runId);
      } catch {
        // it ended meanwhile
      }
    }
  };
  process.on('SIGINT', onSigint);
  try {
    for (const r of runIds) show(lab.run(r));
    await lab.whenIdle();
  } finally {
    process.off('SIGINT', onSigint);
    off();
    view?.finish();
  }
  const runs = runIds.map((r) => lab.run(r));
  if (!ctx.json) {
    const paused = runs.filter((r) => r.status === 'paused');
    if (paused.length) io.out(`paused: resume with ${paused.map((r) => `rnn-lab run resume ${r.id}`).join(' ; ')}\n`);
    for (const r of runs.filter((x) => x.status === 'failed')) io.out(`run ${r.id} (${runLabel(r)}) failed: ${r.error}\n`);
  }
  // a script can tell: 130 after Ctrl-C, 1 when a run failed (the others may have completed)
  if (interrupted) ctx.exitCode = 130;
  else if (runs.some((r) => r.status === 'failed')) ctx.exitCode = 1;
  return runs;
}

function formatRun(r: Run): string {
  const loss = r.bestValLoss === null ? '-' : r.bestValLoss.toFixed(4);
  return `${String(r.id).padStart(5)}  ${r.cell.padEnd(16)} seed ${String(r.seed).padEnd(3)} ${r.status.padEnd(11)} step ${String(r.step).padStart(7)}/${String(r.steps).padEnd(7)} best val ${loss.padEnd(7)} params ${r.params}${r.error ? `  (${r.error})` : ''}`;
}

export const COMMANDS: Record<string, Command> = {
  demo: {
    needsLab: false,
    options: {
      cells: { type: 'string', default: 'rnn,lstm,gru' },
      steps: { type: 'string', default: '300' },
      hidden: { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
    },
    run(ctx) {
      runDemo({
        cells: str(ctx, 'cells')!.split(',') as CellName[],
        steps: wholeNumber('--steps', str(ctx, 'steps')!),
        hidden: wholeNumber('--hidden', str(ctx, 'hidden')!),
        seed: wholeNumber('--seed', str(ctx, 'seed')!, 0),
        out: (line) => ctx.io.out(line + '\n'),
      });
      return undefined;
    },
  },

  'corpus import': {
    positionals: ['file'],
    options: { name: { type: 'string' }, 'keep-crlf': { type: 'boolean', default: false }, 'max-mb': { type: 'string' } },
    run(ctx) {
      const file = ctx.positionals[0];
      const maxMb = str(ctx, 'max-mb');
      let maxBytes: number | undefined;
      if (maxMb !== undefined) {
        maxBytes = Math.round(realNumber('--max-mb', maxMb) * 1024 * 1024);
        if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new LabError('bad-input', `--max-mb must be a size of at least one byte, got ${JSON.stringify(maxMb)}`);
      }
      const { corpus, existing } = ctx.lab.importCorpus(readFile(file, 'corpus file'), {
        name: str(ctx, 'name') ?? basename(file, extname(file)),
        keepCrlf: ctx.values['keep-crlf'] === true,
        maxBytes,
        source: basename(file),
      });
      if (!ctx.json) ctx.io.out(`${existing ? 'already imported' : 'imported'}: corpus ${corpus.id} "${corpus.name}", ${corpus.chars} characters, ${corpus.vocab.length} distinct\n`);
      return { id: corpus.id, existing, corpus };
    },
  },

  'corpus task': {
    positionals: ['task'],
    options: Object.fromEntries(['length', 'seed', 'lag', 'symbols', 'period', 'depth'].map((k) => [k, { type: 'string' as const }])),
    run(ctx) {
      const task = ctx.positionals[0] as TaskName;
      if (!(task in TASKS)) throw new LabError('bad-input', `unknown task ${JSON.stringify(task)}; allowed: ${Object.keys(TASKS).join(', ')}`);
      const params: Record<string, number> = {};
      for (const k of ['length', 'seed', 'lag', 'symbols', 'period', 'depth']) {
        const v = str(ctx, k);
        if (v !== undefined) params[k] = realNumber(`--${k}`, v);
      }
      const { corpus, existing } = ctx.lab.createTaskCorpus(task, params);
      if (!ctx.json) ctx.io.out(`${existing ? 'already there' : 'created'}: corpus ${corpus.id} "${corpus.name}", ${corpus.chars} characters\n`);
      return { id: corpus.id, existing, corpus };
    },
  },

  'corpus list': {
    run(ctx) {
      const list = ctx.lab.listCorpora();
      if (!ctx.json) {
        if (list.length === 0) ctx.io.out('no corpora yet: rnn-lab corpus import FILE, or rnn-lab corpus task reber\n');
        for (const c of list) ctx.io.out(`${String(c.id).padStart(4)}  ${c.name.padEnd(36)} ${c.kind.padEnd(5)} ${String(c.chars).padStart(10)} chars  ${String(c.vocab.length).padStart(5)} distinct\n`);
      }
      return { corpora: list };
    },
  },

  'corpus show': {
    positionals: ['id'],
    run(ctx) {
      const c = ctx.lab.corpus(id(ctx));
      if (!ctx.json) {
        const s = c.stats;
        ctx.io.out(`corpus ${c.id} "${c.name}" (${c.kind}${c.source ? `, from ${c.source}` : ''})\n`);
        ctx.io.out(`${s.chars} characters, ${s.vocabSize} distinct, ${s.lines} lines; training ${s.trainChars}, validation ${s.validChars}; unigram entropy ${s.unigramEntropy.toFixed(3)} nats\n`);
        ctx.io.out(`most frequent: ${s.topChars.slice(0, 10).map((t) => `${JSON.stringify(t.char)} ${(100 * t.fraction).toFixed(1)}%`).join(', ')}\n`);
        ctx.io.out(`preview:\n${s.preview}\n`);
      }
      return { corpus: c };
    },
  },

  'corpus rm': {
    positionals: ['id'],
    run(ctx) {
      ctx.lab.deleteCorpus(id(ctx));
      if (!ctx.json) ctx.io.out(`deleted corpus ${ctx.positionals[0]}\n`);
      return { deleted: id(ctx) };
    },
  },

  'experiment create': {
    options: {
      corpus: { type: 'string' },
      cells: { type: 'string' },
      'init-from': { type: 'string' },
      hidden: { type: 'string' },
      params: { type: 'string' },
      layers: { type: 'string' },
      embedding: { type: 'string' },
      seq: { type: 'string' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      steps: { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      clip: { type: 'string' },
      dropout: { type: 'string' },
      seeds: { type: 'string' },
      'eval-every': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'sample-every': { type: 'string' },
      name: { type: 'string' },
    },
    run(ctx) {
      const corpus = str(ctx, 'corpus');
      if (corpus === undefined) throw new LabError('bad-input', '--corpus ID is required (rnn-lab corpus list shows them)');
      const hidden = str(ctx, 'hidden');
      const params = str(ctx, 'params');
      if (hidden !== undefined && params !== undefined) throw new LabError('bad-input', 'give --hidden (same hidden size) or --params (equal parameter budget), not both');
      const num = (k: string, whole = true): number | undefined => {
        const v = str(ctx, k);
        if (v === undefined) return undefined;
        return whole ? wholeNumber(`--${k}`, v, 0) : realNumber(`--${k}`, v);
      };
      const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
      const initFrom = str(ctx, 'init-from');
      const modelId = initFrom === undefined ? undefined : wholeNumber('--init-from', initFrom);
      // started from a model: its cell unless told otherwise (the lab refuses any other)
      const cellList = str(ctx, 'cells') ?? (modelId !== undefined ? ctx.lab.model(modelId).config.cell : 'rnn,lstm,gru');
      const cells = cellList.split(',').map((c) => c.trim()) as CellName[];
      const spec: ExperimentSpecInput = {
        cells,
        seeds: num('seeds') ?? 1,
        budget: params !== undefined ? { mode: 'params', params: wholeNumber('--params', params) } : { mode: 'hidden', hidden: hidden === undefined ? 128 : wholeNumber('--hidden', hidden) },
        model: defined({ layers: num('layers'), embedding: num('embedding'), dropout: num('dropout', false) }),
        train: defined({
          seqLen: num('seq'),
          batch: num('batch'),
          threads: num('threads'),
          steps: num('steps'),
          clip: num('clip', false),
          optimizer: defined({ name: str(ctx, 'optimizer') as OptimizerName | undefined, lr: num('lr', false) }),
        }),
        cadence: defined({ evalEvery: num('eval-every'), checkpointEvery: num('checkpoint-every'), sampleEvery: num('sample-every') }),
        ...(modelId !== undefined ? { initFrom: { modelId } } : {}),
      };
      const { experiment, runs } = ctx.lab.createExperiment({ corpusId: wholeNumber('--corpus', corpus), name: str(ctx, 'name'), spec });
      if (!ctx.json) {
        ctx.io.out(`created experiment ${experiment.id} "${experiment.name}" with ${runs.length} runs; start it with: rnn-lab experiment run ${experiment.id}\n`);
        for (const r of runs) ctx.io.out(formatRun(r) + `  hidden ${(r.config as RunConfig).model.hidden}\n`);
      }
      return { id: experiment.id, experiment, runs };
    },
  },

  'experiment list': {
    run(ctx) {
      const list = ctx.lab.listExperiments();
      if (!ctx.json) {
        if (list.length === 0) ctx.io.out('no experiments yet: rnn-lab experiment create --corpus ID --cells rnn,lstm,gru\n');
        for (const e of list) {
          const counts = Object.entries(e.runCounts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
          ctx.io.out(`${String(e.id).padStart(4)}  ${e.name.padEnd(40)} on ${e.corpusName.padEnd(24)} ${e.runs} runs: ${counts}\n`);
        }
      }
      return { experiments: list };
    },
  },

  'experiment show': {
    positionals: ['id'],
    run(ctx) {
      const { experiment, spec, runs } = ctx.lab.experiment(id(ctx));
      if (!ctx.json) {
        ctx.io.out(`experiment ${experiment.id} "${experiment.name}" on corpus ${experiment.corpusId}: ${spec.cells.join(', ')} x ${spec.seeds} seed(s)\n`);
        for (const r of runs) ctx.io.out(formatRun(r) + '\n');
      }
      return { experiment, spec, runs };
    },
  },

  'experiment run': {
    positionals: ['id'],
    options: { workers: { type: 'string' } },
    async run(ctx) {
      const ids = ctx.lab.runExperiment(id(ctx));
      if (ids.length === 0) throw new LabError('bad-state', `experiment ${id(ctx)} has no run left to train (all completed, failed or cancelled)`);
      return { runs: await trainInForeground(ctx, ids) };
    },
  },

  'experiment rm': {
    positionals: ['id'],
    run(ctx) {
      ctx.lab.deleteExperiment(id(ctx));
      if (!ctx.json) ctx.io.out(`deleted experiment ${ctx.positionals[0]} with its runs, metrics, checkpoints and samples\n`);
      return { deleted: id(ctx) };
    },
  },

  'run show': {
    positionals: ['id'],
    run(ctx) {
      const run = ctx.lab.run(id(ctx));
      const evals = ctx.lab.store.listEvals(run.id);
      const samples = ctx.lab.store.listSamples(run.id);
      if (!ctx.json) {
        ctx.io.out(formatRun(run) + '\n');
        const c = run.config as RunConfig;
        ctx.io.out(`model ${JSON.stringify(c.model)}\ntrain ${JSON.stringify(c.train)}\n`);
        for (const e of evals.slice(-5)) ctx.io.out(`  step ${e.step}: val ${e.valLoss.toFixed(4)} nats, ${e.bitsPerChar.toFixed(4)} bits/char, accuracy ${(100 * e.accuracy).toFixed(1)}%\n`);
        const s = samples[samples.length - 1];
        if (s) ctx.io.out(`sample at step ${s.step}:\n${s.prime}${s.text}\n`);
      }
      return { run, evals, samples };
    },
  },

  'run pause': {
    positionals: ['id'],
    run(ctx) {
      ctx.lab.pauseRun(id(ctx));
      if (!ctx.json) ctx.io.out(`pause requested for run ${ctx.positionals[0]}\n`);
      return { run: ctx.lab.run(id(ctx)) };
    },
  },

  'run cancel': {
    positionals: ['id'],
    run(ctx) {
      ctx.lab.cancelRun(id(ctx));
      if (!ctx.json) ctx.io.out(`cancel requested for run ${ctx.positionals[0]}\n`);
      return { run: ctx.lab.run(id(ctx)) };
    },
  },

  'run resume': {
    positionals: ['id'],
    options: { workers: { type: 'string' } },
    async run(ctx) {
      ctx.lab.resumeRun(id(ctx));
      const [run] = await trainInForeground(ctx, [id(ctx)]);
      return { run };
    },
  },

  eval: {
    positionals: ['run'],
    options: { text: { type: 'string' }, ...checkpointOption },
    async run(ctx) {
      const file = str(ctx, 'text');
      if (file === undefined) throw new LabError('bad-input', '--text FILE is required');
      const text = prepareCorpus(readFile(file, 'text file'), { minWindow: { seqLen: 1, batch: 1 }, validFraction: 0.5 }).text;
      const r = await ctx.lab.evaluate(id(ctx), text, whichCheckpoint(ctx));
      if (!ctx.json) ctx.io.out(`${r.loss.toFixed(4)} nats/char, ${r.bitsPerChar.toFixed(4)} bits/char, perplexity ${r.perplexity.toFixed(3)}, accuracy ${(100 * r.accuracy).toFixed(2)}% over ${r.count} characters\n`);
      return { loss: r.loss, bits_per_char: r.bitsPerChar, perplexity: r.perplexity, accuracy: r.accuracy, chars: r.count };
    },
  },

  generate: {
    positionals: ['run?'],
    options: {
      model: { type: 'string' },
      prime: { type: 'string', default: '\n' },
      length: { type: 'string', default: '500' },
      temperature: { type: 'string', default: '0.8' },
      'top-k': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      checkpoint: { type: 'string' },
    },
    async run(ctx) {
      const model = str(ctx, 'model');
      if ((model === undefined) === (ctx.positionals[0] === undefined)) throw new LabError('bad-input', 'give a RUN id or --model MODEL (an imported model), not both');
      if (model !== undefined && str(ctx, 'checkpoint') !== undefined) throw new LabError('bad-input', '--checkpoint applies to runs, not to imported models');
      const prime = str(ctx, 'prime')!;
      // the prime is echoed once the lab has accepted it, so a refusal leaves stdout empty
      let echoed = ctx.json;
      const echo = (): void => {
        if (!echoed) ctx.io.out(prime);
        echoed = true;
      };
      const opts = {
        prime,
        length: wholeNumber('--length', str(ctx, 'length')!, 0),
        temperature: realNumber('--temperature', str(ctx, 'temperature')!),
        topK: wholeNumber('--top-k', str(ctx, 'top-k')!, 0),
        seed: wholeNumber('--seed', str(ctx, 'seed')!, 0),
      };
      const onText = ctx.json ? undefined : (t: string): void => {
        echo();
        ctx.io.out(t);
      };
      const text = model !== undefined
        ? await ctx.lab.generateFromModel(wholeNumber('--model', model), opts, onText)
        : await ctx.lab.generate(id(ctx), { ...opts, checkpoint: whichCheckpoint(ctx, 'last') }, onText);
      echo();
      if (!ctx.json) ctx.io.out('\n');
      return { prime, text };
    },
  },

  'model export': {
    positionals: ['run'],
    options: { out: { type: 'string' }, onnx: { type: 'string', default: 'step' }, ...checkpointOption },
    run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.(safetensors|onnx)$/i.test(out)) throw new LabError('bad-input', '--out FILE.safetensors or FILE.onnx is required');
      const onnx = str(ctx, 'onnx');
      if (onnx !== 'step' && onnx !== 'whole') throw new LabError('bad-input', `--onnx must be step or whole, got ${JSON.stringify(onnx)}`);
      const format = out.toLowerCase().endsWith('.onnx') ? (onnx === 'step' ? 'onnx-step' : 'onnx-whole') : 'safetensors';
      const bytes = ctx.lab.exportModel(id(ctx), whichCheckpoint(ctx), format);
      writeFile(out, bytes);
      if (!ctx.json) ctx.io.out(`wrote ${out} (${bytes.length} bytes)\n`);
      return { out, bytes: bytes.length };
    },
  },

  'model import': {
    positionals: ['file'],
    options: { vocab: { type: 'string' }, name: { type: 'string' } },
    run(ctx) {
      const file = ctx.positionals[0];
      const bytes = readFile(file, 'model file');
      const vocabFile = str(ctx, 'vocab');
      const vocab = vocabFile === undefined ? undefined : parseVocab(readFile(vocabFile, 'vocabulary file'));
      const { model, existing } = ctx.lab.importModel(bytes, { name: str(ctx, 'name') ?? basename(file, extname(file)), vocab });
      const c = model.config;
      if (!ctx.json) {
        ctx.io.out(`${existing ? 'already imported' : 'imported'}: model ${model.id} "${model.name}", a ${c.cell} model, ${c.layers} layer(s) of ${c.hidden}, ${model.params} parameters, ${model.vocab.length} characters\n`);
      }
      return { id: model.id, existing, config: c, params: model.params, vocab: model.vocab, provenance: model.provenance };
    },
  },

  'model list': {
    run(ctx) {
      const list = ctx.lab.listModels();
      if (!ctx.json) {
        if (list.length === 0) ctx.io.out('no models yet: rnn-lab model import FILE [--vocab VOCAB.json]\n');
        for (const m of list) ctx.io.out(`${String(m.id).padStart(4)}  ${m.name.padEnd(36)} ${m.config.cell.padEnd(16)} ${m.format.padEnd(8)} hidden ${String(m.config.hidden).padEnd(5)} layers ${m.config.layers}  ${m.params} params  ${m.vocab.length} characters\n`);
      }
      return { models: list };
    },
  },

  'model rm': {
    positionals: ['id'],
    run(ctx) {
      ctx.lab.deleteModel(id(ctx));
      if (!ctx.json) ctx.io.out(`deleted model ${ctx.positionals[0]}\n`);
      return { deleted: id(ctx) };
    },
  },

  serve: {
    options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' }, workers: { type: 'string' } },
    async run(ctx) {
      const host = str(ctx, 'host')!;
      const port = wholeNumber('--port', str(ctx, 'port')!, 0);
      if (port > 65535) throw new LabError('bad-input', `--port must be at most 65535, got ${port}`);
      if (!isLoopback(host)) ctx.io.err(`warning: serving on ${host}, not only this machine: anyone who can reach it and has the URL's token can use this lab\n`);
      ctx.lab.ensureDemo();
      const server = await startServer({ lab: ctx.lab, host, port });
      if (ctx.json) ctx.io.out(JSON.stringify({ url: server.url, port: server.port, token: server.token }) + '\n');
      else ctx.io.out(`RNN Lab is serving ${ctx.lab.database}\nopen ${server.url}\n(Ctrl-C stops; running runs pause with a checkpoint)\n`);
      await new Promise<void>((stop) => {
        const onSignal = (): void => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          stop();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      if (!ctx.json) ctx.io.err('\nstopping: pausing running runs (writing checkpoints)...\n');
      await server.close();
      await ctx.lab.close({ running: 'pause' });
      return undefined;
    },
  },

  'diagnose gradient-flow': {
    positionals: ['run'],
    options: { checkpoint: { type: 'string', default: 'last' }, window: { type: 'string' } },
    async run(ctx) {
      const window = str(ctx, 'window');
      const r = await ctx.lab.gradientFlow(id(ctx), { checkpoint: whichCheckpoint(ctx), window: window === undefined ? undefined : wholeNumber('--window', window, 1) });
      if (!ctx.json) {
        const out = (t: string): void => ctx.io.out(t);
        out(`run ${r.runId} (${r.cell}), ${r.checkpoint} checkpoint at step ${r.step}: mean ||dL_T/dh_{T-k}|| over ${r.samples} windows of ${r.window} steps of the validation text\n`);
        out('L_T is the loss (nats) at the window\'s last character; k steps back from it');
        if (r.c) out('; c: the same through the cell state, h_{T-k} held fixed');
        out('\n');
        const columns = r.h.flatMap((_, l) => [`layer ${l + 1} h`, ...(r.c ? [`layer ${l + 1} c`] : [])]);
        out(`${'k'.padStart(4)}  ${columns.map((c) => c.padStart(12)).join('  ')}\n`);
        for (let k = 0; k <= r.maxLag; k++) {
          const values = r.h.flatMap((h, l) => [h[k], ...(r.c ? [r.c[l][k]] : [])]);
          out(`${String(k).padStart(4)}  ${values.map((x) => x.toExponential(3).padStart(12)).join('  ')}\n`);
        }
      }
      return r;
    },
  },

  'diagnose baselines': {
    positionals: ['corpus'],
    async run(ctx) {
      const r = await ctx.lab.baselines(wholeNumber('CORPUS', ctx.positionals[0]));
      if (!ctx.json) {
        const out = (t: string): void => ctx.io.out(t);
        out(`corpus ${r.corpusId}, ${r.vocabSize} characters; nats per character on its validation text:\n`);
        out(`  uniform (ln V)         ${r.uniform.toFixed(4)}\n`);
        out(`  unigram                ${r.unigram.toFixed(4)}   (training-text entropy ${r.trainEntropy.toFixed(4)})\n`);
        for (const n of r.ngram.filter((x) => x.order > 1)) out(`  ${n.order}-gram, Kneser-Ney   ${n.loss.toFixed(4)}\n`);
      }
      return r;
    },
  },

  'metrics export': {
    positionals: ['experiment'],
    options: { out: { type: 'string' } },
    run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.(csv|json)$/i.test(out)) throw new LabError('bad-input', '--out FILE.csv or FILE.json is required');
      const file = exportMetrics(ctx.lab, id(ctx), out.toLowerCase().endsWith('.csv') ? 'csv' : 'json');
      writeFile(out, file.text!);
      const rows = ctx.lab.metricsTable(id(ctx)).length;
      if (!ctx.json) ctx.io.out(`wrote ${rows} rows to ${out}\n`);
      return { out, rows };
    },
  },

  report: {
    positionals: ['experiment'],
    options: { out: { type: 'string' } },
    async run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.html?$/i.test(out)) throw new LabError('bad-input', '--out FILE.html is required');
      const file = await exportReport(ctx.lab, id(ctx));
      writeFile(out, file.text!);
      const bytes = Buffer.byteLength(file.text!);
      if (!ctx.json) ctx.io.out(`wrote the report of experiment ${id(ctx)} to ${out} (${Math.ceil(bytes / 1024)} KB, opens offline)\n`);
      return { out, bytes };
    },
  },
};

function parseVocab(bytes: Uint8Array): string[] {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CorpusError('invalid-utf8', `vocabulary file is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(v) && v.every((c) => typeof c === 'string')) return v;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    const out: string[] = [];
    for (const [c, i] of entries) {
      if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= entries.length) throw new LabError('bad-input', `vocabulary id of ${JSON.stringify(c)} must be 0..${entries.length - 1}`);
      out[i as number] = c;
    }
    return out;
  }
  throw new LabError('bad-input', 'vocabulary must be a JSON list of characters or an object {character: id}');
}

