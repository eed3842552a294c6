/**
 * Bounds on a JSON value read from a file (a model file's header and metadata, a vocabulary file):
 * how deeply it nests and how many values it holds. JSON.parse takes any depth, but what handles
 * the value next may not: JSON.stringify (the database's JSON columns, the HTTP wire), a reviver
 * and structured clone recurse, and overflow the stack a few thousand levels down. Check right
 * after JSON.parse; the walk keeps its own stack, so the check cannot overflow either.
 */

export interface JsonLimits {
  /** an object or list counts one level, and so does every one inside it */
  maxDepth: number;
  /** every object, list, string, number, boolean and null counts one */
  maxValues: number;
}

/** Deeper than any file we read needs (a safetensors header nests 3 levels), more values than a 65,536-character vocabulary. */
export const JSON_LIMITS: JsonLimits = { maxDepth: 64, maxValues: 1_000_000 };

/** What exceeds the limits, as the end of a sentence ("nests deeper than 64 levels"), or null. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits = JSON_LIMITS): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++values > limits.maxValues) return `holds more than ${limits.maxValues} values`;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) return `nests deeper than ${limits.maxDepth} levels`;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}
