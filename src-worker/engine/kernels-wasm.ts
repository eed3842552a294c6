/**
 * Matrix products in WebAssembly SIMD (source: wasm/gemm.as.ts, AssemblyScript; built into
 * wasm/gemm.wasm.ts by `npm run build:wasm`), behind the same Kernels interface as the TypeScript
 * ones.
 *
 * WebAssembly reads only its own memory, so the operands must live there: a WasmHeap hands out
 * Float32Array views of one shared WebAssembly.Memory, and the kernels made for that heap run in
 * wasm whenever A, B and C are all such views. Any other call (a Float64Array in a gradient check,
 * an array from elsewhere) goes to blockedKernels, so every caller stays correct and only the
 * speed depends on where its buffers came from.
 *
 * The memory is shared (a SharedArrayBuffer) so that growing it never detaches the views already
 * handed out, and so that a run's training threads all work in one memory (shards.ts). Compiling and
 * instantiating are synchronous; browsers allow that only off the main thread for a module over
 * 4 KB, which is where the engine runs.
 */
import { blockedKernels } from './kernels-blocked.ts';
import { fusedSteps, type FusedExports } from './kernels-fused.ts';
import type { Kernels, Vec } from './kernels.ts';
import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64 } from './wasm/gemm.wasm.ts';

const PAGE_BYTES = 65536;
/** Pages a WasmHeap's own memory may grow to: 2 GiB, which keeps byte pointers below 2^31. */
const DEFAULT_MAXIMUM_PAGES = 32768;
/** The most a run can allocate with these kernels: its model and workspaces share one such memory. */
export const WASM_HEAP_MAX_BYTES = DEFAULT_MAXIMUM_PAGES * PAGE_BYTES;

// The allocator's state lives in the memory itself, in its first 16 bytes (so no pointer is 0):
// a magic word, then the first free byte. Every WasmHeap over the same memory, in any thread,
// allocates through it with atomics.
const HEADER_BYTES = 16;
const MAGIC = 0x52_4e_4e_48; // 'RNNH'
const MAGIC_SLOT = 0;
const TOP_SLOT = 1;

/**
 * A module with one function, () -> v128 (i32x4.splat of 0): validates only where the engine
 * understands SIMD.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: func () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: i32.const 0, i32x4.splat, end
]);

/**
 * A module with one function, (a, b, c: f32) -> f32: lane 0 of f32x4.relaxed_madd over the three
 * splatted. Validates only where the runtime has relaxed SIMD.
 */
const MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7d, 0x7d, 0x7d, 0x01, 0x7d, // type section: func (f32, f32, f32) -> f32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x6d, 0x00, 0x00, // export section: 'm', function 0
  0x0a, 0x16, 0x01, 0x14, 0x00, // code section: one body of 20 bytes, no locals
  0x20, 0x00, 0xfd, 0x13, 0x20, 0x01, 0xfd, 0x13, 0x20, 0x02, 0xfd, 0x13, // local.get 0..2, each f32x4.splat
  0xfd, 0x85, 0x02, 0xfd, 0x1f, 0x00, 0x0b, // f32x4.relaxed_madd, f32x4.extract_lane 0, end
]);

/**
 * True where the 'wasm-fma' kernels can run: the 'wasm' kernels' needs, relaxed SIMD, and a
 * relaxed_madd that fuses. The WebAssembly spec lets relaxed_madd round once or twice, whichever
 * the hardware does; only the fused one is accepted, so a 'wasm-fma' run computes the same bits
 * on every machine that runs it. (Node 20 has relaxed SIMD behind a V8 flag, which the workers
 * set: ../wasm-features.ts.)
 */
export function wasmFmaSupported(): boolean {
  if (!wasmSimdSupported()) return false;
  try {
    if (!WebAssembly.validate(MADD_PROBE)) return false;
    const m = new WebAssembly.Instance(new WebAssembly.Module(MADD_PROBE)).exports.m as (a: number, b: number, c: number) => number;
    // (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 exactly; rounding the product first loses it
    const a = 1 + 2 ** -12;
    return m(a, a, -(1 + 2 ** -11)) === 2 ** -24;
  } catch {
    return false;
  }
}

/** True where these kernels can run: WebAssembly with SIMD, and shared memory. */
export function wasmSimdSupported(): boolean {
  try {
    if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return false;
    if (!WebAssembly.validate(SIMD_PROBE)) return false;
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Float32Arrays in one shared WebAssembly.Memory, handed out by a bump allocator that never frees
 * (the engine allocates its buffers once per model). Each array is 16-byte aligned and zeroed.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Every buffer object seen for this memory in this thread (see seenBuffers). */
  private readonly buffers: Set<ArrayBufferLike>;
  private current: ArrayBufferLike;

  /** Over a new memory, or over `memory` (shared, e.g. another thread's heap's) to share it. */
  constructor(memory?: WebAssembly.Memory) {
    this.memory = memory ?? new WebAssembly.Memory({ initial: 1, maximum: DEFAULT_MAXIMUM_PAGES, shared: true });
    this.current = this.memory.buffer;
    if (typeof SharedArrayBuffer !== 'function' || !(this.current instanceof SharedArrayBuffer)) {
      throw new TypeError('WasmHeap needs a shared WebAssembly.Memory');
    }
    let buffers = seenBuffers.get(this.memory);
    if (buffers === undefined) seenBuffers.set(this.memory, buffers = new Set());
    this.buffers = buffers;
    this.buffers.add(this.current);
    const header = new Uint32Array(this.current, 0, HEADER_BYTES / 4);
    const magic = Atomics.compareExchange(header, MAGIC_SLOT, 0, MAGIC);
    if (magic !== 0 && magic !== MAGIC) throw new Error('WasmHeap: this memory is in use by something else');
    Atomics.compareExchange(header, TOP_SLOT, 0, HEADER_BYTES);
  }

  /** A zeroed Float32Array of n elements in the memory, which grows as needed. */
  alloc(n: number): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`WasmHeap.alloc: bad length ${n}`);
    const bytes = Math.ceil((n * 4) / 16) * 16;
    const header = new Uint32Array(this.memory.buffer, 0, HEADER_BYTES / 4);
    for (;;) {
      const start = Atomics.load(header, TOP_SLOT);
      const end = start + bytes;
      // Grow before claiming, so that a failed grow leaves the allocator as it was.
      const length = this.memory.buffer.byteLength;
      if (end > length) {
        try {
          this.memory.grow(Math.ceil((end - length) / PAGE_BYTES));
        } catch (e) {
          throw new RangeError(`WasmHeap: cannot grow the memory to ${end} bytes (${(e as Error).message})`);
        }
      }
      if (Atomics.compareExchange(header, TOP_SLOT, start, end) === start) {
        return new Float32Array(this.buffer(), start, n);
      }
    }
  }

  /**
   * A Float32Array over n elements at byteOffset of the memory: an array another thread allocated,
   * seen from this one (and recognised by owns).
   */
  view(byteOffset: number, n: number): Float32Array {
    if (!Number.isInteger(byteOffset) || byteOffset < HEADER_BYTES || byteOffset % 16 !== 0 || !Number.isInteger(n) || n < 0 ||
      byteOffset + 4 * n > Atomics.load(new Uint32Array(this.memory.buffer, 0, HEADER_BYTES / 4), TOP_SLOT)) {
      throw new RangeError(`WasmHeap.view: ${n} floats at byte ${byteOffset} are not an allocated array`);
    }
    return new Float32Array(this.buffer(), byteOffset, n);
  }

  /** Whether v is a Float32Array in this heap's memory. */
  owns(v: Vec): v is Float32Array {
    if (!(v instanceof Float32Array)) return false;
    const b = v.buffer;
    return b === this.current || this.buffers.has(b) || b === this.buffer();
  }

  /** memory.buffer, remembered. */
  private buffer(): ArrayBufferLike {
    const b = this.memory.buffer;
    if (b !== this.current) {
      this.current = b;
      this.buffers.add(b);
    }
    return b;
  }
}

/**
 * For each memory, every SharedArrayBuffer object this thread has seen for it. A grow replaces
 * memory.buffer by a new, longer object while the views made before keep the old one, and all of
 * them address the same memory: a view is in the memory if its buffer is one of these. Shared by
 * the heaps of a thread, so that a view from one heap is recognised by another over the same
 * memory. (Views received from another thread carry buffer objects of their own and are not
 * recognised: they take the TypeScript path.)
 */
const seenBuffers = new WeakMap<WebAssembly.Memory, Set<ArrayBufferLike>>();

interface GemmExports extends FusedExports {
  scratchBytes(): number;
  setScratch(ptr: number): void;
  gemmNN: GemmFn;
  gemmNT: GemmFn;
  gemmTN: GemmFn;
}
type GemmFn = (M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number,
  c: number, ldc: number, accumulate: number) => void;

/** The compiled modules: [0] SIMD, [1] relaxed SIMD besides. */
const modules: [WebAssembly.Module | null, WebAssembly.Module | null] = [null, null];

function compiled(fma = false): WebAssembly.Module {
  const i = fma ? 1 : 0;
  let m = modules[i];
  if (m === null) {
    const text = atob(fma ? GEMM_FMA_WASM_BASE64 : GEMM_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
    m = modules[i] = new WebAssembly.Module(bytes);
  }
  return m;
}

let scratchBytesOfModule: number | null = null;

/** Bytes of the heap each set of kernels (each thread of a run) takes for its scratch. */
export function wasmScratchBytes(): number {
  if (scratchBytesOfModule === null) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const wasm = new WebAssembly.Instance(compiled(), { env: { memory } }).exports as unknown as GemmExports;
    scratchBytesOfModule = wasm.scratchBytes();
  }
  return scratchBytesOfModule;
}

/**
 * Kernels running in wasm for arrays from `heap`, and in blockedKernels for any other call: the
 * 'wasm' kernels, or with `fma` the 'wasm-fma' ones (check wasmFmaSupported first). Each call
 * makes its own instance with its own scratch (about 640 KB of the heap), so make one per thread
 * and reuse it.
 */
export function createWasmKernels(heap: WasmHeap, fma = false): Kernels {
  if (fma && !wasmFmaSupported()) throw new Error('this runtime has no fused relaxed-SIMD multiply-add; the wasm-fma kernels cannot run here');
  const wasm = new WebAssembly.Instance(compiled(fma), { env: { memory: heap.memory } }).exports as unknown as GemmExports;
  wasm.setScratch(heap.alloc(wasm.scratchBytes() / 4).byteOffset);

  // Checks the arguments wasm would trust (a stray index there reads or writes another array) and
  // returns the byte pointers; null sends the call to blockedKernels.
  const pointers = (op: 'NN' | 'NT' | 'TN', M: number, N: number, K: number, A: Vec, aOff: number, lda: number,
    B: Vec, bOff: number, ldb: number, C: Vec, cOff: number, ldc: number): [number, number, number] | null => {
    if (!heap.owns(A) || !heap.owns(B) || !heap.owns(C)) return null;
    if (!Number.isInteger(M) || !Number.isInteger(N) || !Number.isInteger(K) || M < 0 || N < 0 || K < 0) {
      throw new RangeError(`gemm${op}: bad shape ${M}x${N}x${K}`);
    }
    if (op === 'TN') checkSpan(`gemm${op} A`, A, aOff, lda, K, M);
    else checkSpan(`gemm${op} A`, A, aOff, lda, M, K);
    if (op === 'NT') checkSpan(`gemm${op} B`, B, bOff, ldb, N, K);
    else checkSpan(`gemm${op} B`, B, bOff, ldb, K, N);
    checkSpan(`gemm${op} C`, C, cOff, ldc, M, N);
    return [A.byteOffset + 4 * aOff, B.byteOffset + 4 * bOff, C.byteOffset + 4 * cOff];
  };

  return {
    name: fma ? 'wasm-fma' : 'wasm',
    alloc: (n) => heap.alloc(n),
    memory: heap.memory,
    // the 'wasm' kernels stay as they were (products only), so their runs keep their bits
    ...(fma ? { fused: fusedSteps(heap, wasm) } : {}),
    gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
      const p = pointers('NN', M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      if (p === null) blockedKernels.gemmNN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      else wasm.gemmNN(M, N, K, p[0], lda, p[1], ldb, p[2], ldc, accumulate ? 1 : 0);
    },
    gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
      const p = pointers('NT', M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      if (p === null) blockedKernels.gemmNT(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      else wasm.gemmNT(M, N, K, p[0], lda, p[1], ldb, p[2], ldc, accumulate ? 1 : 0);
    },
    gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate) {
      const p = pointers('TN', M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
      if (p === null) blockedKernels.gemmTN(M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
      else wasm.gemmTN(M, N, K, p[0], lda, p[1], ldb, p[2], ldc, accumulate ? 1 : 0);
    },
  };
}

/** Throws unless a rows x cols matrix at `off` with leading dimension `ld` lies inside v. */
function checkSpan(what: string, v: Float32Array, off: number, ld: number, rows: number, cols: number): void {
  if (rows === 0 || cols === 0) return;
  const last = off + (rows - 1) * ld + cols - 1;
  if (!Number.isInteger(off) || !Number.isInteger(ld) || off < 0 || (rows > 1 && ld < 0) || last >= v.length) {
    throw new RangeError(`${what}: ${rows}x${cols} at offset ${off}, leading dimension ${ld}, does not fit in ${v.length} elements`);
  }
}
