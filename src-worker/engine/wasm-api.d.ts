// The engine's lib is plain ES2022, which has no WebAssembly API and no atob. Every place the
// engine runs (workers, Node, browsers) has both; declared here, only as much as kernels-wasm.ts
// uses.
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    /** For a shared memory a SharedArrayBuffer, replaced by a longer one after each grow. */
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    /** Grows by `delta` pages of 64 KiB; returns the previous size in pages. */
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  type ImportValue = Memory | ((...args: never[]) => unknown) | number;
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, ImportValue>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}

declare function atob(data: string): string;
