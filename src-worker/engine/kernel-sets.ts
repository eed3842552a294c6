/**
 * The kernel implementations by name: 'wasm' (WebAssembly SIMD, the default where the runtime has
 * SIMD), 'blocked' (plain TypeScript, the fallback) and 'naive' (the reference).
 */
import { blockedKernels } from './kernels-blocked.ts';
import { createWasmKernels, WasmHeap, wasmSimdSupported } from './kernels-wasm.ts';
import { naiveKernels, type Kernels } from './kernels.ts';

export const KERNEL_NAMES = ['wasm', 'blocked', 'naive'] as const;
export type KernelSetName = (typeof KERNEL_NAMES)[number];

/** Whether this runtime can run the named set. */
export function kernelSetAvailable(name: KernelSetName): boolean {
  return name === 'wasm' ? wasmSimdSupported() : true;
}

/** A name from the outside (a task, a record) as a KernelSetName; throws naming the known ones. */
export function kernelSetName(name: string): KernelSetName {
  const known = KERNEL_NAMES.find((k) => k === name);
  if (known === undefined) throw new Error(`unknown kernel set '${name}' (known: ${KERNEL_NAMES.join(', ')})`);
  return known;
}

/** 'wasm' where WebAssembly SIMD is available, else 'blocked'. */
export function defaultKernelName(): KernelSetName {
  return wasmSimdSupported() ? 'wasm' : 'blocked';
}

/**
 * A kernel set. The WebAssembly one comes with its own memory, from which a run's model and
 * workspaces are allocated (and freed with it): make one per run, or per model, and keep using it
 * for that run's evaluations and samples.
 */
export function createKernels(name: KernelSetName = defaultKernelName()): Kernels {
  switch (name) {
    case 'wasm':
      if (!wasmSimdSupported()) throw new Error('WebAssembly SIMD is not available in this runtime; use the blocked kernels');
      return createWasmKernels(new WasmHeap());
    case 'blocked':
      return blockedKernels;
    case 'naive':
      return naiveKernels;
  }
}
