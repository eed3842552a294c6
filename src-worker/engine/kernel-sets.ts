/**
 * The kernel implementations by name: 'wasm' (WebAssembly SIMD, the default where the runtime has
 * SIMD), 'blocked' (plain TypeScript, the fallback) and 'naive' (the reference).
 */
import { blockedKernels } from './kernels-blocked.ts';
import { createWasmKernels, WasmHeap, wasmSimdSupported } from './kernels-wasm.ts';
import { naiveKernels, type Kernels } from './kernels.ts';

export const KERNEL_NAMES = ['wasm', 'blocked', 'naive'] as const;
export type KernelSetName = (typeof KERNEL_NAMES)[number];

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
