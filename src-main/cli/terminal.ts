/**
 * Text for a terminal. Names, previews and samples come from files and other users, and a terminal
 * obeys what it is sent: an ESC sequence can recolour, clear or retitle the screen, move the cursor
 * over earlier lines, or (in some terminals) write to the clipboard; a carriage return overwrites a
 * line and a bidi override reorders what is read. So every control character (C0 but newline and
 * tab, DEL, C1) and every bidi control is shown as an escape instead (ESC as \x1b, U+202E as
 * \u202e). --json output is not shown this way: JSON escapes the controls itself and must stay exact.
 */

// C0 controls but \t and \n, DEL and C1; the bidi embeddings, overrides, isolates and marks
const SHOWN = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const SHOWN_ON_ONE_LINE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** What every human-readable line of rnn-lab goes through: the controls visible, newlines and tabs kept. */
export function forTerminal(text: string): string {
  return text.replace(SHOWN, escape);
}

/** A name in a one-line listing: newlines and tabs shown too, so a name cannot fake another line. */
export function oneLine(text: string): string {
  return text.replace(SHOWN_ON_ONE_LINE, escape);
}
