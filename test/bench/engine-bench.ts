/**
 * `npm run bench`: training throughput of every cell on tiny-shakespeare, on one thread and on two
 * (config.threads: the batch split over shard threads), against PyTorch
 * (../shared/bench/torch_bench.py) on as many threads, in the same run where /usr/bin/python3 has
 * torch.
 *
 *   npm run bench [-- --json] [--cells lstm,gru] [--configs S,M] [--kernels wasm-fma|wasm|blocked|naive]
 *                 [--threads 1,2] [--seconds 10] [--no-torch]
 *
 * Configs (as the reference): S = hidden 128, 1 layer, seq 64, batch 32; M = hidden 256, 2 layers,
 * seq 100, batch 32; one-hot input, Adam lr 2e-3, no clipping. chars/s = B*T*steps / wall seconds
 * for forward, backward and the Adam step. GFLOP/s counts the matrix products actually done per
 * character (the one-hot input is a row gather and counts nothing): 6 (G H H L + G H H (L-1) + H V).
 * speedup = chars/s on n threads / chars/s on one, same cell and config.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CELLS, CELL_NAMES, type CellName } from '../../src-worker/engine/cells/index.ts';
import { Vocab } from '../../src-worker/engine/data.ts';
import { createKernels, defaultKernelName, KERNEL_NAMES, type KernelSetName } from '../../src-worker/engine/kernel-sets.ts';
import { Trainer } from '../../src-worker/engine/trainer.ts';
import { startShardThreads } from '../../src-worker/shard-threads.ts';
import '../../src-worker/wasm-features.ts';
import { corpusPath, repoRoot } from '../helpers.ts';

const CONFIGS = {
  S: { hidden: 128, layers: 1, seqLen: 64, batch: 32, torchSteps: 150 },
  M: { hidden: 256, layers: 2, seqLen: 100, batch: 32, torchSteps: 40 },
} as const;
type ConfigName = keyof typeof CONFIGS;

/** Our cell -> the PyTorch cell it is compared with (the same maths for rnn, lstm, gru-reset-after). */
const TORCH_PEER: Record<CellName, 'rnn' | 'lstm' | 'gru'> = {
  rnn: 'rnn',
  lstm: 'lstm',
  'lstm-peephole': 'lstm',
  gru: 'gru',
  'gru-reset-after': 'gru',
};

interface Result {
  cell: CellName;
  config: ConfigName;
  kernels: string;
  threads: number;
  chars_per_s: number;
  speedup?: number;
  gflop_per_s: number;
  mflop_per_char: number;
  ms_per_step: number;
  steps: number;
  params: number;
  torch_cell?: string;
  torch_chars_per_s?: number;
  ratio?: number;
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    cells: { type: 'string', default: CELL_NAMES.join(',') },
    configs: { type: 'string', default: 'S,M' },
    kernels: { type: 'string' },
    threads: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '8' },
    'no-torch': { type: 'boolean', default: false },
  },
});

const log = (line: string): void => {
  // with --json, stdout carries the one JSON document and nothing else
  (args.json ? process.stderr : process.stdout).write(line + '\n');
};

async function main(): Promise<void> {
  const cells = args.cells!.split(',') as CellName[];
  for (const c of cells) if (!CELL_NAMES.includes(c)) throw new Error(`--cells: unknown cell ${c}; allowed: ${CELL_NAMES.join(', ')}`);
  const configs = args.configs!.split(',') as ConfigName[];
  for (const c of configs) if (!(c in CONFIGS)) throw new Error(`--configs: unknown config ${c}; allowed: S, M`);
  const kernelName = (args.kernels ?? defaultKernelName()) as KernelSetName;
  if (!KERNEL_NAMES.includes(kernelName)) throw new Error(`--kernels: allowed ${KERNEL_NAMES.join(', ')}`);
  const seconds = Number(args.seconds);
  const threadCounts = args.threads!.split(',').map(Number);
  for (const n of threadCounts) if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`--threads: whole numbers from 1 to 32, got ${args.threads}`);

  const text = readFileSync(corpusPath(), 'utf8');
  const vocab = Vocab.fromText(text);
  const ids = vocab.encode(text);
  const train = ids.subarray(0, Math.floor(ids.length * 0.9));
  const V = vocab.size;
  const torch = !args['no-torch'] && torchAvailable();
  log(`RNN Lab engine benchmark: ${kernelName} kernels, threads ${threadCounts.join(' and ')}, node ${process.version}, V=${V}`);
  if (!torch) log(args['no-torch'] ? 'PyTorch comparison off (--no-torch)' : 'PyTorch not found (/usr/bin/python3 -c "import torch" failed): no ratios');

  const results: Result[] = [];
  const torchCache = new Map<string, number>();
  for (const configName of configs) {
    const c = CONFIGS[configName];
    for (const cell of cells) for (const threads of threadCounts) {
      const t = new Trainer({
        model: { cell, vocabSize: V, hidden: c.hidden, layers: c.layers, embedding: 0 },
        train: { seqLen: c.seqLen, batch: c.batch, steps: 1e9, clip: 0, seed: 1234, optimizer: { name: 'adam', lr: 2e-3 }, threads },
        data: train,
        kernels: createKernels(kernelName), // a run's own memory for the wasm kernels
      });
      if (t.kernels.memory) await startShardThreads(t); // other kernels run the shards one after the other
      t.trainStep(); // warm-up: lets the JIT compile the hot loops
      t.trainStep();
      const start = performance.now();
      let steps = 0;
      while (steps < 3 || performance.now() - start < seconds * 1000) {
        t.trainStep();
        steps++;
      }
      const secs = (performance.now() - start) / 1000;
      t.close();
      const chars = (c.batch * c.seqLen * steps) / secs;
      const G = CELLS[cell].gates;
      const flopPerChar = 6 * (G * c.hidden * c.hidden * c.layers + G * c.hidden * c.hidden * (c.layers - 1) + c.hidden * V);
      const r: Result = {
        cell,
        config: configName,
        kernels: kernelName,
        threads,
        chars_per_s: round(chars, 1),
        gflop_per_s: round((chars * flopPerChar) / 1e9, 3),
        mflop_per_char: round(flopPerChar / 1e6, 3),
        ms_per_step: round((secs * 1000) / steps, 1),
        steps,
        params: t.model.parameterCount,
      };
      const single = results.find((x) => x.cell === cell && x.config === configName && x.threads === 1);
      if (threads > 1 && single) r.speedup = round(r.chars_per_s / single.chars_per_s, 3);
      if (torch) {
        const peer = TORCH_PEER[cell];
        const key = `${peer}-${configName}-${threads}`;
        if (!torchCache.has(key)) torchCache.set(key, runTorch(peer, configName, threads));
        r.torch_cell = peer;
        r.torch_chars_per_s = torchCache.get(key)!;
        r.ratio = round(r.chars_per_s / r.torch_chars_per_s, 4);
      }
      results.push(r);
      log(formatRow(r));
    }
  }
  if (args.json) process.stdout.write(JSON.stringify({ kernels: kernelName, threads: threadCounts, node: process.version, vocab: V, results }) + '\n');
}

function torchAvailable(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 && existsSync(torchBenchPath());
}

function torchBenchPath(): string {
  return resolve(repoRoot, '../shared/bench/torch_bench.py');
}

/**
 * chars/s of PyTorch on `threads` cores for a cell and config. Several cores go to OpenBLAS with one
 * intra-op thread: on this 2-core machine that is PyTorch's fastest set-up (LSTM-M: 17,000 chars/s,
 * against 11,400 with two intra-op threads over a one-thread BLAS and 2,500 with two of each, which
 * oversubscribes the cores).
 */
function runTorch(cell: string, configName: ConfigName, threads: number): number {
  const c = CONFIGS[configName];
  const r = spawnSync('/usr/bin/python3', [
    torchBenchPath(), '--cell', cell, '--hidden', String(c.hidden), '--layers', String(c.layers),
    '--seq', String(c.seqLen), '--batch', String(c.batch), '--steps', String(c.torchSteps),
    '--threads', '1', '--blas-threads', String(threads), '--no-val', '--corpus', corpusPath(),
  ], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.includes('"kind": "result"'));
  if (r.status !== 0 || !line) throw new Error(`torch_bench.py failed for ${cell} ${configName}: ${r.stderr.slice(-500)}`);
  return JSON.parse(line).chars_per_s;
}

function formatRow(r: Result): string {
  const torch = r.torch_chars_per_s === undefined ? '' : `   torch ${r.torch_cell} ${r.torch_chars_per_s.toFixed(0).padStart(7)} c/s   ratio ${r.ratio!.toFixed(3)}x`;
  const speedup = r.speedup === undefined ? '' : `  (${r.speedup.toFixed(2)}x one thread)`;
  return `${r.cell.padEnd(16)} ${r.config} ${r.threads}t ${r.chars_per_s.toFixed(0).padStart(7)} chars/s  ${r.gflop_per_s.toFixed(2).padStart(5)} GFLOP/s  ${r.ms_per_step.toFixed(0).padStart(6)} ms/step${speedup}${torch}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

await main();
