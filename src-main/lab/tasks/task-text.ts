/**
 * What every built-in task produces: a text, and per character whether it can be predicted from
 * what came before and whether predicting it needs long-range memory, so that the lab can report
 * accuracy on exactly those positions beside the loss.
 */

export interface TaskText {
  text: string;
  /** per position i of text: 1 where text[i] is determined by what came before (it can be predicted) */
  predictable: Uint8Array;
  /** per position: 1 where predicting text[i] needs the long-range memory the task is about */
  longRange: Uint8Array;
}

/**
 * A dependency this many steps back or more counts as long-range: by then a plain RNN's gradient
 * has mostly vanished (Hochreiter and Schmidhuber 1997 find it fails beyond 5 to 10 steps).
 */
export const LONG_RANGE_MIN_LAG = 10;

/** Grows a TaskText one character at a time. Task alphabets are ASCII, one UTF-16 unit per character. */
export class TaskTextBuilder {
  private codes = new Uint16Array(1024);
  private pred = new Uint8Array(1024);
  private far = new Uint8Array(1024);
  length = 0;

  push(c: string, predictable: boolean, longRange = false): void {
    if (this.length === this.codes.length) this.grow();
    this.codes[this.length] = c.charCodeAt(0);
    this.pred[this.length] = predictable ? 1 : 0;
    this.far[this.length] = longRange ? 1 : 0;
    this.length++;
  }

  /** The character at position i, for generators that look back. */
  at(i: number): string {
    return String.fromCharCode(this.codes[i]);
  }

  /** The text so far, cut to its first `limit` characters when given. */
  build(limit = this.length): TaskText {
    const n = Math.min(limit, this.length);
    let text = '';
    const chunk = 8192;
    for (let i = 0; i < n; i += chunk) text += String.fromCharCode(...this.codes.subarray(i, Math.min(n, i + chunk)));
    return { text, predictable: this.pred.slice(0, n), longRange: this.far.slice(0, n) };
  }

  private grow(): void {
    const size = this.codes.length * 2;
    const codes = new Uint16Array(size);
    const pred = new Uint8Array(size);
    const far = new Uint8Array(size);
    codes.set(this.codes);
    pred.set(this.pred);
    far.set(this.far);
    [this.codes, this.pred, this.far] = [codes, pred, far];
  }
}

/** The first `n` lowercase letters: the alphabet of random symbols. */
export function letters(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String.fromCharCode(0x61 + i));
}
