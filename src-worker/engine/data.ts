/**
 * Text as token ids, and the stream batcher of truncated BPTT (char-rnn style): the training text is
 * cut into B contiguous streams; each step consumes the next T characters of every stream, so the
 * state carried from one window to the next belongs to the same stream. When the streams run out,
 * a new epoch starts at a random shift of 0..T-1 characters (so windows do not always cut the text
 * at the same places) and the state is reset.
 */
import { ConfigError } from './config.ts';
import type { Rng } from './rng.ts';

/** Token ids of a text: Uint16Array suffices for any vocabulary we accept (LIMITS.vocab). */
export type TokenIds = Int32Array | Uint16Array;

/**
 * Why `chars` cannot be a vocabulary, or null when it can: a list with, for every token id, one
 * character (one Unicode code point; a lone surrogate is none, and cannot be written as UTF-8) that
 * no other id has. Model files and imports are checked with this, so that what they store is what
 * Vocab accepts. Messages start with "entry" or "must".
 */
export function vocabProblem(chars: unknown): string | null {
  if (!Array.isArray(chars)) return 'must be an array of strings, one per token id';
  const first = new Map<string, number>();
  // an index loop, not every(): every() skips the holes of a sparse array
  for (let i = 0; i < chars.length; i++) {
    if (!(i in chars)) return `entry ${i} is missing: every token id needs a character`;
    const c: unknown = chars[i];
    if (typeof c !== 'string') return `entry ${i} must be a string (one character), got ${c === null ? 'null' : typeof c === 'object' ? 'an object' : String(c)}`;
    const shown = JSON.stringify(c.length > 20 ? `${c.slice(0, 20)}...` : c);
    const points = [...c].length;
    if (points !== 1) return `entry ${i} (${shown}) must be one character (one Unicode code point), got ${points}`;
    if (/^[\uD800-\uDFFF]$/.test(c)) return `entry ${i} (${shown}) is a lone surrogate, not a character`;
    const seen = first.get(c);
    if (seen !== undefined) return `entry ${i} (${shown}) appears twice (also entry ${seen})`;
    first.set(c, i);
  }
  return null;
}

/** Characters are Unicode code points, sorted by code point; a token id is an index into chars. */
export class Vocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    const problem = vocabProblem(chars);
    if (problem !== null) throw new ConfigError('vocab', problem);
    this.chars = chars;
    this.index = new Map(chars.map((c, i) => [c, i]));
  }

  static fromText(text: string): Vocab {
    const set = new Set<string>();
    for (const c of text) set.add(c);
    return new Vocab([...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  get size(): number {
    return this.chars.length;
  }

  id(c: string): number | undefined {
    return this.index.get(c);
  }

  /** Token ids of text; throws naming the first character the vocabulary lacks. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    let offset = 0;
    for (const c of text) {
      const id = this.index.get(c);
      if (id === undefined) {
        throw new ConfigError('text', `character ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) at offset ${offset} is not in the vocabulary`);
      }
      out.push(id);
      offset++;
    }
    return Int32Array.from(out);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]];
    return s;
  }
}

export interface BatcherState {
  epoch: number;
  /** first character of stream 0 in this epoch */
  shift: number;
  /** characters of every stream consumed so far in this epoch */
  pos: number;
}

export class StreamBatcher {
  private state: BatcherState = { epoch: 0, shift: 0, pos: 0 };

  constructor(private readonly data: TokenIds, readonly T: number, readonly B: number, private readonly rng: Rng) {
    const need = B * T + T;
    if (data.length < need) {
      throw new ConfigError('data', `text of ${data.length} characters is too short for ${B} streams of ${T}-character windows; it needs at least ${need} (batch x seqLen, plus seqLen for the shift of each epoch)`);
    }
    this.state.shift = this.rng.below(T);
  }

  /** Stream length of the current epoch. */
  private get streamLength(): number {
    return Math.floor((this.data.length - 1 - this.state.shift) / this.B);
  }

  /**
   * Fills the next window (T*B ids, time-major: position t*B + b) of inputs and their targets, the
   * characters that follow. Returns true when this window starts a new epoch, i.e. the carried
   * state must be reset before it.
   */
  next(inputs: Int32Array, targets: Int32Array): boolean {
    const { T, B, data } = this;
    let wrapped = false;
    if (this.state.pos + T > this.streamLength) {
      this.state = { epoch: this.state.epoch + 1, shift: this.rng.below(T), pos: 0 };
      wrapped = true;
    }
    const L = this.streamLength;
    const { shift, pos } = this.state;
    for (let b = 0; b < B; b++) {
      const start = shift + b * L + pos;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = data[start + t];
        targets[t * B + b] = data[start + t + 1];
      }
    }
    this.state.pos += T;
    return wrapped || (this.state.epoch === 0 && pos === 0);
  }

  getState(): BatcherState {
    return { ...this.state };
  }

  setState(s: BatcherState): void {
    for (const k of ['epoch', 'shift', 'pos'] as const) {
      if (!Number.isSafeInteger(s[k]) || s[k] < 0) throw new ConfigError(`batcher.${k}`, `must be a whole number >= 0, got ${s[k]}`);
    }
    if (s.shift >= this.T) throw new ConfigError('batcher.shift', `must be below seqLen ${this.T}, got ${s.shift}`);
    this.state = { ...s };
  }
}
