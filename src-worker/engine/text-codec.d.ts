// The engine's lib is plain ES2022 (no DOM, no Node), but every place it runs (workers, Node,
// browsers) has the WHATWG text codecs. Declared here so the engine can use just these two.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
