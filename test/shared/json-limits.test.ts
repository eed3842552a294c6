// The bounds on JSON read from files: depth and number of values, checked without recursion.
import { describe, expect, it } from 'vitest';
import { JSON_LIMITS, jsonLimitProblem } from '../../src-shared/json-limits.ts';

const nested = (levels: number, inner = '1'): unknown => JSON.parse('['.repeat(levels) + inner + ']'.repeat(levels));

describe('jsonLimitProblem', () => {
  it('counts an object or list as one level, scalars as none', () => {
    expect(jsonLimitProblem(nested(64))).toBeNull();
    expect(jsonLimitProblem(nested(65))).toBe('nests deeper than 64 levels');
    expect(jsonLimitProblem(JSON.parse('{"a": {"b": [{"c": null}]}}'), { maxDepth: 4, maxValues: 10 })).toBeNull();
    expect(jsonLimitProblem(JSON.parse('{"a": {"b": [{"c": []}]}}'), { maxDepth: 4, maxValues: 10 })).toBe('nests deeper than 4 levels');
    for (const scalar of [null, 0, 'x', true]) expect(jsonLimitProblem(scalar, { maxDepth: 0, maxValues: 1 })).toBeNull();
  });

  it('takes 5,000 and 1,000,000 levels, which JSON.stringify cannot, without overflowing itself', () => {
    for (const levels of [5000, 1_000_000]) {
      const deep = nested(levels);
      expect(() => JSON.stringify(deep)).toThrow(RangeError);
      expect(jsonLimitProblem(deep)).toBe('nests deeper than 64 levels');
    }
  });

  it('counts every value, keys not included', () => {
    expect(jsonLimitProblem({ a: 1, b: [2, 3] }, { maxDepth: 8, maxValues: 5 })).toBeNull();
    expect(jsonLimitProblem({ a: 1, b: [2, 3, 4] }, { maxDepth: 8, maxValues: 5 })).toBe('holds more than 5 values');
    expect(jsonLimitProblem(new Array(JSON_LIMITS.maxValues).fill(0))).toBe(`holds more than ${JSON_LIMITS.maxValues} values`);
    expect(jsonLimitProblem(new Array(JSON_LIMITS.maxValues - 1).fill(0))).toBeNull();
  });
});
