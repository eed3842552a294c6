/**
 * GFLOP/s of the matrix kernels on the shapes training actually uses (Float32Array).
 * Run: npx tsx test/bench/kernels-bench.ts [--quick]
 *
 * Each blocked and wasm figure is the best of several timed rounds, since the machine may be
 * shared; the naive reference, only there for scale, gets one. Only Float32Array goes through the
 * kernels in this process: mixing in Float64Array makes their loads polymorphic and slows them by
 * about 40%. The wasm kernels get their arrays from a WasmHeap (run `npm run build:wasm` first);
 * where WebAssembly SIMD is missing their column says so.
 */
import { naiveKernels, type Kernels } from '../../src-worker/engine/kernels.ts';
import { blockedKernels } from '../../src-worker/engine/kernels-blocked.ts';
import { createWasmKernels, WasmHeap, wasmSimdSupported } from '../../src-worker/engine/kernels-wasm.ts';
import { Rng } from '../../src-worker/engine/rng.ts';

type Op = 'NN' | 'NT' | 'TN';
interface Shape { op: Op; M: number; N: number; K: number; what: string }

// B batch 32, H hidden, G gates, V vocabulary 65, T*B = 3200 rows of a 100-step window.
const shapes: Shape[] = [
  { op: 'NN', M: 32, N: 1024, K: 256, what: 'step: h @ Wh, H=256 G=4' },
  { op: 'NN', M: 32, N: 512, K: 128, what: 'step: h @ Wh, H=128 G=4' },
  { op: 'NN', M: 32, N: 384, K: 128, what: 'step: h @ Wh, H=128 G=3' },
  { op: 'NT', M: 32, N: 256, K: 1024, what: 'step: dGates @ Wh^T, H=256 G=4' },
  { op: 'NT', M: 32, N: 128, K: 128, what: 'step: dGates @ Wh^T, H=128 G=1' },
  { op: 'NN', M: 3200, N: 1024, K: 256, what: 'window: x @ Wx (layer 2), H=256 G=4' },
  { op: 'NN', M: 3200, N: 65, K: 256, what: 'window: decoder h @ Wy, H=256' },
  { op: 'NT', M: 3200, N: 256, K: 65, what: 'window: dLogits @ Wy^T' },
  { op: 'NT', M: 3200, N: 256, K: 1024, what: 'window: dGates @ Wx^T, H=256 G=4' },
  { op: 'TN', M: 256, N: 1024, K: 3200, what: 'window: dWx = x^T @ dGates, H=256 G=4' },
  { op: 'TN', M: 256, N: 65, K: 3200, what: 'window: dWy = h^T @ dLogits' },
  { op: 'TN', M: 128, N: 512, K: 3200, what: 'window: dWx, H=128 G=4' },
];

const quick = process.argv.includes('--quick');
const rng = new Rng(1);

type Alloc = (n: number) => Float32Array;
const plain: Alloc = (n) => new Float32Array(n);

function filled(n: number, alloc: Alloc): Float32Array {
  const a = alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform() - 0.5;
  return a;
}

/** Best GFLOP/s over `rounds` rounds, each long enough (about 50 ms) to time reliably. */
function gflops(kernels: Kernels, s: Shape, rounds: number, alloc: Alloc = plain): number {
  const { op, M, N, K } = s;
  // Stored shapes: NN A (M,K) B (K,N); NT A (M,K) B (N,K); TN A (K,M) B (K,N).
  const lda = op === 'TN' ? M : K;
  const ldb = op === 'NT' ? K : N;
  const A = filled(M * K, alloc);
  const B = filled(K * N, alloc);
  const C = alloc(M * N);
  const run = (): void => {
    if (op === 'NN') kernels.gemmNN(M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, false);
    else if (op === 'NT') kernels.gemmNT(M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, false);
    else kernels.gemmTN(M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, false);
  };
  const flops = 2 * M * N * K;
  run(); // warm-up, lets the optimiser see the shape
  const t0 = performance.now();
  run();
  const once = Math.max(performance.now() - t0, 0.01);
  const reps = Math.max(1, Math.round(50 / once));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (performance.now() - start) / reps);
  }
  return flops / (best * 1e6);
}

const rounds = quick ? 3 : 10;
const heap = wasmSimdSupported() ? new WasmHeap() : null;
const wasm = heap && createWasmKernels(heap);
const fromHeap: Alloc = (n) => heap!.alloc(n);
console.log(`GFLOP/s, Float32Array, best of ${rounds} rounds (naive: 1)${wasm ? '' : '; no WebAssembly SIMD here'}`);
console.log(`${'op'.padEnd(3)} ${'M x N x K'.padEnd(18)} ${'naive'.padStart(6)} ${'blocked'.padStart(8)} ${'wasm'.padStart(6)} ${'wasm/blocked'.padStart(13)}  shape`);
for (const s of shapes) {
  const naive = gflops(naiveKernels, s, 1);
  const blocked = gflops(blockedKernels, s, rounds);
  const fast = wasm ? gflops(wasm, s, rounds, fromHeap) : NaN;
  const ratio = wasm ? `${(fast / blocked).toFixed(1)}x` : '-';
  console.log(`${s.op.padEnd(3)} ${`${s.M}x${s.N}x${s.K}`.padEnd(18)} ${naive.toFixed(2).padStart(6)} ${blocked.toFixed(2).padStart(8)} ${(wasm ? fast.toFixed(2) : '-').padStart(6)} ${ratio.padStart(13)}  ${s.what}`);
}
