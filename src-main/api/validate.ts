/**
 * A small runtime schema library for the requests that cross into main. A schema checks an unknown
 * value and returns it typed, or throws ValidationError naming the field ("spec.train.seqLen: must
 * be a whole number from 1 to 100000"). Objects have exact keys: an unknown key is refused, so a
 * typo never passes silently. Sizes are capped everywhere, since the caller is not trusted.
 *
 * No Node imports: the renderer may reuse it to check forms before sending.
 */

export class ValidationError extends Error {
  constructor(readonly field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ValidationError';
  }
}

export interface Schema<T> {
  /** throws ValidationError naming `path` */
  parse(value: unknown, path: string): T;
  /** set by v.optional: the key may be missing (or undefined) */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferShape<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }>;

const show = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
};

/** Throws; with a third argument, the message ends with what was received. */
function fail(path: string, message: string, ...got: [unknown?]): never {
  throw new ValidationError(path, got.length > 0 ? `${message}, got ${show(got[0])}` : message);
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Where a string stops being well-formed Unicode: a UTF-16 surrogate without its pair cannot be
 * written as UTF-8, so it would reach the database as an invalid byte sequence.
 */
export function loneSurrogate(s: string): string | null {
  const at = s.search(/\p{Cs}/u); // with the u flag only an unpaired surrogate matches
  return at < 0 ? null : `a lone surrogate (U+${s.charCodeAt(at).toString(16).toUpperCase()}) at position ${at}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export const v = {
  /** An object with exactly these keys (optional ones may be missing); any other key is refused. */
  object<S extends Shape>(shape: S): Schema<InferShape<S>> {
    const keys = Object.keys(shape);
    return {
      parse(value, path) {
        if (!isPlainObject(value)) return fail(path || 'request', 'must be an object', value);
        for (const k of Object.keys(value)) {
          if (!Object.hasOwn(shape, k)) {
            fail(join(path, k), `unknown field; allowed: ${keys.length ? keys.join(', ') : 'none'}`);
          }
        }
        const out: Record<string, unknown> = {};
        for (const k of keys) {
          const s = shape[k];
          const field = value[k];
          if (field === undefined) {
            if (!s.optional) fail(join(path, k), 'is required');
            continue;
          }
          out[k] = s.parse(field, join(path, k));
        }
        return out as InferShape<S>;
      },
    };
  },

  /** Objects whose keys are free (up to maxKeys, each up to maxKeyLength) and values share a schema. */
  record<T>(value: Schema<T>, opts: { maxKeys: number; maxKeyLength?: number }): Schema<Record<string, T>> {
    const maxKeyLength = opts.maxKeyLength ?? 100;
    return {
      parse(input, path) {
        if (!isPlainObject(input)) return fail(path, 'must be an object', input);
        const entries = Object.entries(input);
        if (entries.length > opts.maxKeys) fail(path, `may have at most ${opts.maxKeys} fields, got ${entries.length}`);
        const out: Record<string, T> = {};
        for (const [k, x] of entries) {
          if (k.length > maxKeyLength) fail(path, `field names may have at most ${maxKeyLength} characters`);
          const bad = loneSurrogate(k);
          if (bad) fail(path, `field names must be valid Unicode text: ${bad}`);
          if (k === '__proto__') fail(join(path, k), 'is not an allowed field name');
          out[k] = value.parse(x, join(path, k));
        }
        return out;
      },
    };
  },

  /** One of several object shapes, chosen by the string value of `key`. */
  variant<K extends string, M extends Record<string, Schema<unknown>>>(key: K, choices: M): Schema<Infer<M[keyof M]>> {
    const names = Object.keys(choices);
    return {
      parse(value, path) {
        if (!isPlainObject(value)) return fail(path, 'must be an object', value);
        const tag = value[key];
        if (typeof tag !== 'string' || !Object.hasOwn(choices, tag)) fail(join(path, key), `must be one of ${names.join(', ')}`, tag);
        return choices[tag as string].parse(value, path) as Infer<M[keyof M]>;
      },
    };
  },

  /** A whole number in [min, max] (both within the safe integer range). */
  int(opts: { min: number; max: number }): Schema<number> {
    return {
      parse(value, path) {
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < opts.min || value > opts.max) {
          fail(path, `must be a whole number from ${opts.min} to ${opts.max}`, value);
        }
        return value as number;
      },
    };
  },

  /** A finite number in [min, max]. */
  number(opts: { min: number; max: number }): Schema<number> {
    return {
      parse(value, path) {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < opts.min || value > opts.max) {
          fail(path, `must be a number from ${opts.min} to ${opts.max}`, value);
        }
        return value as number;
      },
    };
  },

  /** A string of at most max characters (and at least min, default 0), well-formed Unicode. */
  string(opts: { max: number; min?: number }): Schema<string> {
    const min = opts.min ?? 0;
    return {
      parse(value, path) {
        if (typeof value !== 'string') return fail(path, 'must be a string', value);
        if (value.length > opts.max || value.length < min) {
          fail(path, min > 0 ? `must have ${min} to ${opts.max} characters, got ${value.length}` : `may have at most ${opts.max} characters, got ${value.length}`);
        }
        const bad = loneSurrogate(value);
        if (bad) fail(path, `has ${bad}: it is not valid Unicode text`);
        return value;
      },
    };
  },

  enum<const T extends string>(values: readonly T[]): Schema<T> {
    return {
      parse(value, path) {
        if (typeof value !== 'string' || !values.includes(value as T)) fail(path, `must be one of ${values.join(', ')}`, value);
        return value as T;
      },
    };
  },

  boolean(): Schema<boolean> {
    return {
      parse(value, path) {
        if (typeof value !== 'boolean') fail(path, 'must be true or false', value);
        return value as boolean;
      },
    };
  },

  /** A list of at most max items (and at least min, default 0). */
  array<T>(item: Schema<T>, opts: { max: number; min?: number }): Schema<T[]> {
    const min = opts.min ?? 0;
    return {
      parse(value, path) {
        if (!Array.isArray(value)) return fail(path, 'must be a list', value);
        if (value.length > opts.max || value.length < min) fail(path, `must have ${min} to ${opts.max} items, got ${value.length}`);
        return Array.from(value, (x, i) => item.parse(x, join(path, i))); // not map(): it skips a sparse list's holes
      },
    };
  },

  /** Binary data (Uint8Array; over HTTP it arrives through the wire encoding) of at most max bytes. */
  bytes(opts: { max: number }): Schema<Uint8Array> {
    return {
      parse(value, path) {
        if (!(value instanceof Uint8Array)) return fail(path, 'must be binary data (bytes)', value);
        if (value.byteLength > opts.max) fail(path, `may have at most ${opts.max} bytes, got ${value.byteLength}`);
        return value;
      },
    };
  },

  /** The key may be missing or undefined. */
  /** The schema's value, or null. */
  nullable<T>(schema: Schema<T>): Schema<T | null> {
    return { parse: (value, path) => (value === null ? null : schema.parse(value, path)) };
  },

  optional<T>(schema: Schema<T>): Schema<T | undefined> & { optional: true } {
    return {
      optional: true,
      parse: (value, path) => (value === undefined ? undefined : schema.parse(value, path)),
    };
  },
};

/** An object schema with no fields: `{}` (or nothing at all) and nothing else. */
export const empty: Schema<Record<string, never>> = {
  parse(value, path) {
    if (value === undefined) return {};
    return v.object({}).parse(value, path) as Record<string, never>;
  },
};
