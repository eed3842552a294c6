import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../src-shared/wire.ts';

describe('the HTTP wire format', () => {
  it('refuses a value nested deeper than 64 levels, at any depth of text, without overflowing the stack', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    expect(JSON.stringify(decodeWire(nested(64)))).toBe(nested(64));
    for (const levels of [65, 5_000, 200_000]) {
      expect(() => decodeWire(nested(levels))).toThrow(new SyntaxError('it nests deeper than 64 levels'));
    }
  });

  it('keeps a key named __proto__ a plain key, also when it holds bytes', () => {
    const back = decodeWire('{"__proto__":{"$bytes":"aGk="},"a":[{"$bytes":""}]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')!.value).toEqual(Uint8Array.of(104, 105));
    expect(back.a).toEqual([new Uint8Array(0)]);
  });

  it('round-trips many values: answers such as metric rows are bounded in depth only', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [i, i / 2, 'x']);
    expect((decodeWire(encodeWire(rows)) as unknown[]).length).toBe(300_000);
  });
});
