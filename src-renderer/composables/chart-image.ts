/**
 * A chart as a PNG figure: drawn again at twice the pixel density (sharp in papers and slides)
 * on a solid background (a transparent PNG turns unreadable on a dark slide), then saved or put
 * on the clipboard.
 */
import type { Chart } from 'chart.js';

/** pixels per CSS pixel in saved and copied charts */
export const FIGURE_PIXEL_RATIO = 2;

/** The page's panel colour, which the chart's text and grid colours were chosen against. */
export function figureBackground(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--surface').trim() || '#ffffff';
}

/**
 * Redraws the chart at `ratio` device pixels per CSS pixel, copies it over a solid background and
 * puts the chart back as it was. Chart.js draws synchronously (animation is off), so the visible
 * canvas is never shown at the other density.
 */
export function chartPng(chart: Chart, opts: { ratio?: number; background?: string } = {}): Promise<Blob> {
  const ratio = opts.ratio ?? FIGURE_PIXEL_RATIO;
  const before = chart.options.devicePixelRatio;
  let out: HTMLCanvasElement;
  try {
    chart.options.devicePixelRatio = ratio;
    chart.resize();
    const src = chart.canvas;
    out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw on a canvas');
    ctx.fillStyle = opts.background ?? figureBackground();
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
  } finally {
    chart.options.devicePixelRatio = before;
    chart.resize();
  }
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'));
}

/** Why images cannot go on the clipboard here, or null when they can. */
export function clipboardProblem(): string | null {
  if (!window.isSecureContext) return 'the browser allows it only on secure pages (https, or this computer\'s own address)';
  if (!navigator.clipboard?.write || typeof ClipboardItem === 'undefined') return 'this browser cannot put images on the clipboard';
  return null;
}

/** Puts a PNG on the clipboard; the Blob may still be in the making (Safari wants it so). */
export async function copyPng(png: Promise<Blob>): Promise<void> {
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
}
