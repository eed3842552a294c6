/**
 * Whether the page can draw Hangul. document.fonts.check() cannot say (it answers true for a
 * system font it has no face of), so the probe draws two different syllables in the page's own
 * font: with no Korean font anywhere, both come out as the same missing-glyph box.
 */

/** Draws a text and returns its pixels; the probe compares two. */
export type DrawText = (text: string) => Uint8ClampedArray;

/** true when two different syllables look different, i.e. some font has them */
export function drawsHangul(draw: DrawText): boolean {
  const a = draw('가');
  const b = draw('힣');
  if (a.length !== b.length) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** The page's canvas, in the font the page uses; null where there is no 2D canvas (then nothing is said). */
export function pageTextDrawer(doc: Document = document): DrawText | null {
  const canvas = doc.createElement('canvas');
  canvas.width = 48;
  canvas.height = 32;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  const family = getComputedStyle(doc.documentElement).fontFamily;
  return (text) => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = `24px ${family}`;
    ctx.fillStyle = '#000';
    ctx.fillText(text, 4, 26);
    return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  };
}
