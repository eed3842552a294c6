/**
 * Turns on Node 20's relaxed SIMD (behind --experimental-wasm-relaxed-simd there; Electron 45's V8
 * ships it), for the 'wasm-fma' kernels. A worker's execArgv refuses V8 flags, so the worker sets
 * it as it loads, before it compiles any kernels; the flag is the process's, so it holds for every
 * thread from then on. Where the runtime validates relaxed SIMD already this does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { wasmFmaSupported } from './engine/kernels-wasm.ts';

if (!wasmFmaSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
