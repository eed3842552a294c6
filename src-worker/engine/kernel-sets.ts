/**
 * The kernel implementations by name: 'wasm-fma' (WebAssembly SIMD with relaxed SIMD's fused
 * multiply-add, the default where the runtime has it), 'wasm' (WebAssembly SIMD, the default
 * elsewhere), 'blocked' (plain TypeScript, the fallback) and 'naive' (the reference). Each set
 * computes its own bits: a run keeps the set it started with (see TrainTask.kernelSet).
 */
import { blockedKernels } from './kernels-blocked.ts';
import { createWasmKernels, WasmHeap, wasmFmaSupported, wasmSimdSupported } from './kernels-wasm.ts';
import { naiveKernels, type Kernels } from './kernels.ts';

export const KERNEL_NAMES = ['wasm-fma', 'wasm', 'blocked', 'naive'] as const;
export type KernelSetName = (typeof KERNEL_NAMES)[number];

/** Whether this runtime can run the named set. */
export function kernelSetAvailable(name: KernelSetName): boolean {
  if (name === 'wasm-fma') return wasmFmaSupported();
  return name === 'wasm' ? wasmSimdSupported() : true;
}

/** A name from the outside (a task, a record) as a KernelSetName; throws naming the known ones. */
export function kernelSetName(name: string): KernelSetName {
  const known = KERNEL_NAMES.find((k) => k === name);
  if (known === undefined) throw new Error(`unknown kernel set '${name}' (known: ${KERNEL_NAMES.join(', ')})`);
  return known;
}

/** The fastest set this runtime runs: 'wasm-fma', else 'wasm', else 'blocked'. */
export function defaultKernelName(): KernelSetName {
  if (wasmFmaSupported()) return 'wasm-fma';
  return wasmSimdSupported() ? 'wasm' : 'blocked';
}

/**
 * A kernel set. The WebAssembly one comes with its own memory, from which a run's model and
 * workspaces are allocated (and freed with it): make one per run, or per model, and keep using it
 * for that run's evaluations and samples.
 */
export function createKernels(name: KernelSetName = defaultKernelName()): Kernels {
  switch (name) {
    case 'wasm-fma':
      if (!wasmFmaSupported()) throw new Error('relaxed SIMD with a fused multiply-add is not available in this runtime; use the wasm kernels');
      return createWasmKernels(new WasmHeap(), true);
    case 'wasm':
      if (!wasmSimdSupported()) throw new Error('WebAssembly SIMD is not available in this runtime; use the blocked kernels');
      return createWasmKernels(new WasmHeap());
    case 'blocked':
      return blockedKernels;
    case 'naive':
      return naiveKernels;
  }
}
