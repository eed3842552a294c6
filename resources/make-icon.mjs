#!/usr/bin/env node
/**
 * Draws the app icon and writes every file the installers use, from one description of the shapes:
 *   icon.svg            the drawing itself (512 x 512 units)
 *   icon.png            512 x 512, the source for anything that wants a single PNG
 *   icons/NxN.png       16 ... 512, the Linux icon set (AppImage, deb, the .desktop entry)
 *   icon.ico            Windows (NSIS and the .exe): PNG-compressed entries 16 ... 256
 *   icon.icns           macOS (the .app and the dmg): PNG entries 16 ... 1024
 * Ready-made .ico and .icns mean electron-builder has nothing to convert, so it never needs to
 * download its icon tool. Run `node resources/make-icon.mjs` after changing the drawing.
 *
 * The motif is the textbook picture of a recurrent cell: an input arrow into the cell, an output
 * arrow out of it, and the loop that feeds the hidden state back in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const UNITS = 512;
const DEG = Math.PI / 180;

/** the loop: a ring on the cell's right, entering the cell again at the bottom */
const loop = { cx: 350, cy: 290, r: 84, width: 24, from: -148 * DEG, to: 112 * DEG };

// Painted in order; the later shape covers the earlier one.
const shapes = [
  { kind: 'rect', cx: 256, cy: 256, w: 464, h: 464, r: 100, fill: ['#27407a', '#111b36'] },
  { kind: 'arc', ...loop, fill: '#ffb703' },
  arrowHead(loop, 40, 30, '#ffb703'),
  { kind: 'line', x1: 206, y1: 470, x2: 206, y2: 396, width: 24, fill: '#e8eef9' },
  { kind: 'triangle', points: [[206, 366], [178, 404], [234, 404]], fill: '#e8eef9' },
  { kind: 'line', x1: 206, y1: 216, x2: 206, y2: 118, width: 24, fill: '#e8eef9' },
  { kind: 'triangle', points: [[206, 56], [172, 104], [240, 104]], fill: '#e8eef9' },
  { kind: 'rect', cx: 206, cy: 290, w: 156, h: 156, r: 30, fill: '#2ec4b6' },
  { kind: 'circle', cx: 206, cy: 290, r: 26, fill: '#111b36' },
];

/** An arrowhead at the end of an arc, pointing along it (clockwise on screen). */
function arrowHead(a, length, halfWidth, fill) {
  const [ex, ey] = [a.cx + a.r * Math.cos(a.to), a.cy + a.r * Math.sin(a.to)];
  const [tx, ty] = [-Math.sin(a.to), Math.cos(a.to)]; // direction of travel
  const [nx, ny] = [-ty, tx];
  return {
    kind: 'triangle',
    points: [
      [ex + tx * length, ey + ty * length],
      [ex + nx * halfWidth, ey + ny * halfWidth],
      [ex - nx * halfWidth, ey - ny * halfWidth],
    ],
    fill,
  };
}

// ---- geometry: does the point (x, y), in icon units, fall inside the shape? ----

function inside(s, x, y) {
  switch (s.kind) {
    case 'rect': {
      const dx = Math.max(Math.abs(x - s.cx) - (s.w / 2 - s.r), 0);
      const dy = Math.max(Math.abs(y - s.cy) - (s.h / 2 - s.r), 0);
      return dx * dx + dy * dy <= s.r * s.r;
    }
    case 'circle':
      return (x - s.cx) ** 2 + (y - s.cy) ** 2 <= s.r * s.r;
    case 'line':
      return segmentDistance(x, y, s.x1, s.y1, s.x2, s.y2) <= s.width / 2;
    case 'triangle': {
      const [[ax, ay], [bx, by], [cx, cy]] = s.points;
      const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
      const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
      const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
      return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
    }
    case 'arc': {
      const d = Math.hypot(x - s.cx, y - s.cy);
      if (Math.abs(d - s.r) > s.width / 2) return startCap(s, x, y);
      let t = Math.atan2(y - s.cy, x - s.cx);
      while (t < s.from) t += 2 * Math.PI;
      return t <= s.to || startCap(s, x, y);
    }
    default:
      throw new Error(`unknown shape ${s.kind}`);
  }
}

function startCap(s, x, y) {
  const [sx, sy] = [s.cx + s.r * Math.cos(s.from), s.cy + s.r * Math.sin(s.from)];
  return (x - sx) ** 2 + (y - sy) ** 2 <= (s.width / 2) ** 2;
}

function segmentDistance(x, y, x1, y1, x2, y2) {
  const [vx, vy] = [x2 - x1, y2 - y1];
  const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(x - (x1 + t * vx), y - (y1 + t * vy));
}

/** [r, g, b] of a fill at height y (a two-stop fill is a vertical gradient over the shape). */
function colour(s, y) {
  if (typeof s.fill === 'string') return rgb(s.fill);
  const top = s.cy - s.h / 2;
  const t = Math.max(0, Math.min(1, (y - top) / s.h));
  const [a, b] = s.fill.map(rgb);
  return a.map((v, i) => v + (b[i] - v) * t);
}

function rgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

// ---- rasterising: n x n samples per pixel, straight (not premultiplied) RGBA out ----

function render(size) {
  const n = size >= 1024 ? 2 : size >= 128 ? 4 : 8;
  const scale = UNITS / size;
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, covered] = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) * scale;
          const y = (py + (sy + 0.5) / n) * scale;
          let c = null;
          for (const s of shapes) if (inside(s, x, y)) c = colour(s, y);
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            covered++;
          }
        }
      }
      const o = (py * size + px) * 4;
      if (covered) {
        out[o] = Math.round(r / covered);
        out[o + 1] = Math.round(g / covered);
        out[o + 2] = Math.round(b / covered);
        out[o + 3] = Math.round((255 * covered) / (n * n));
      }
    }
  }
  return out;
}

// ---- file formats ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG, every row with filter type 0. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, filter 0, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** ICO with PNG entries (Windows Vista and later read these at every size). */
function ico(pngs) {
  const head = Buffer.alloc(6 + 16 * pngs.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2); // type: icon
  head.writeUInt16LE(pngs.length, 4);
  let offset = head.length;
  pngs.forEach(([size, data], i) => {
    const e = 6 + 16 * i;
    head[e] = size >= 256 ? 0 : size; // 0 means 256
    head[e + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, e + 4); // colour planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...pngs.map(([, data]) => data)]);
}

/** ICNS with PNG entries, keyed by Apple's type codes. */
function icns(entries) {
  const parts = entries.map(([type, data]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

function svg() {
  const body = shapes.map((s) => {
    switch (s.kind) {
      case 'rect':
        return `<rect x="${s.cx - s.w / 2}" y="${s.cy - s.h / 2}" width="${s.w}" height="${s.h}" rx="${s.r}" fill="${typeof s.fill === 'string' ? s.fill : 'url(#bg)'}"/>`;
      case 'circle':
        return `<circle cx="${s.cx}" cy="${s.cy}" r="${s.r}" fill="${s.fill}"/>`;
      case 'line':
        return `<line x1="${s.x1}" y1="${s.y1}" x2="${s.x2}" y2="${s.y2}" stroke="${s.fill}" stroke-width="${s.width}" stroke-linecap="round"/>`;
      case 'triangle':
        return `<polygon points="${s.points.map((p) => p.map((v) => v.toFixed(2)).join(',')).join(' ')}" fill="${s.fill}"/>`;
      case 'arc': {
        const p = (t) => `${(s.cx + s.r * Math.cos(t)).toFixed(2)} ${(s.cy + s.r * Math.sin(t)).toFixed(2)}`;
        const large = s.to - s.from > Math.PI ? 1 : 0;
        return `<path d="M ${p(s.from)} A ${s.r} ${s.r} 0 ${large} 1 ${p(s.to)}" fill="none" stroke="${s.fill}" stroke-width="${s.width}" stroke-linecap="round"/>`;
      }
      default:
        throw new Error(`unknown shape ${s.kind}`);
    }
  });
  const [top, bottom] = shapes[0].fill;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${UNITS}" height="${UNITS}" viewBox="0 0 ${UNITS} ${UNITS}">`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
const pngs = new Map(sizes.map((size) => [size, png(size, render(size))]));

mkdirSync(join(here, 'icons'), { recursive: true });
writeFileSync(join(here, 'icon.svg'), svg());
writeFileSync(join(here, 'icon.png'), pngs.get(512));
for (const size of sizes.filter((s) => s <= 512)) writeFileSync(join(here, 'icons', `${size}x${size}.png`), pngs.get(size));
writeFileSync(join(here, 'icon.ico'), ico([16, 32, 48, 64, 128, 256].map((s) => [s, pngs.get(s)])));
writeFileSync(join(here, 'icon.icns'), icns([
  ['icp4', pngs.get(16)], ['icp5', pngs.get(32)], ['icp6', pngs.get(64)], ['ic07', pngs.get(128)],
  ['ic08', pngs.get(256)], ['ic09', pngs.get(512)], ['ic10', pngs.get(1024)],
  ['ic11', pngs.get(32)], ['ic12', pngs.get(64)], ['ic13', pngs.get(256)], ['ic14', pngs.get(512)],
]));
console.log(`wrote icon.svg, icon.png, icons/{${sizes.filter((s) => s <= 512).join(',')}}.png, icon.ico, icon.icns in ${here}`);
