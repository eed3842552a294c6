/** The pure parts of the cell views: colour scales, float32 decoding, passages and the lag chart's data. */
import { describe, expect, it } from 'vitest';
import { decodeFloat32, unitColumn } from '../../src-renderer/composables/float32.ts';
import { activationScale, heatColor, lossScale, luminance, position, scaleGradient, symmetricScale } from '../../src-renderer/composables/heat-colors.ts';
import { runColors, trainedRuns } from '../../src-renderer/composables/inside-runs.ts';
import { clipThreshold, gradHistoryPoints, lagLines, layerCount, retainedAt } from '../../src-renderer/composables/lag-data.ts';
import { DIAGNOSE_MAX_PASSAGE } from '../../src-shared/limits.ts';
import { lossPerChar, passagePage, passageRequest, shownChar, splitChars } from '../../src-renderer/composables/passage.ts';
import { float32Bytes, gradientFlowReport, makeRun } from './fake-client.ts';

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

describe('heat colours', () => {
  it('puts the diverging middle at 0 and the ends at -1 and 1 (tanh)', () => {
    const s = activationScale('tanh');
    expect(heatColor(s, 0)?.background).toBe('#f7f7f7');
    expect(heatColor(s, -1)?.background).toBe('#2166ac');
    expect(heatColor(s, 1)?.background).toBe('#b2182b');
    // clamped beyond the range
    expect(heatColor(s, 7)?.background).toBe('#b2182b');
  });

  it('runs the sequential scale from near-white at 0 to dark at 1 (sigmoid), darker as the value grows', () => {
    const s = activationScale('sigmoid');
    const lums = [0, 0.25, 0.5, 0.75, 1].map((v) => luminance(rgb(heatColor(s, v)!.background)));
    for (let i = 1; i < lums.length; i++) expect(lums[i]).toBeLessThan(lums[i - 1]);
    expect(lums[0]).toBeGreaterThan(0.9);
  });

  it('picks readable text: dark on light backgrounds, white on dark ones', () => {
    const s = activationScale('sigmoid');
    expect(heatColor(s, 0)?.color).toBe('#1d1f23');
    expect(heatColor(s, 1)?.color).toBe('#ffffff');
  });

  it('leaves missing values uncoloured', () => {
    expect(heatColor(activationScale('tanh'), NaN)).toBeNull();
  });

  it('widens the scale of a cell state to its largest |c|, symmetric and at least [-1, 1]', () => {
    expect(symmetricScale([0.2, -0.4])).toEqual({ kind: 'diverging', min: -1, max: 1 });
    expect(symmetricScale([0.2, -2.3, 1.1])).toEqual({ kind: 'diverging', min: -2.5, max: 2.5 });
    expect(position(symmetricScale([-2.5, 2.5]), 0)).toBe(0.5);
  });

  it('gives several runs one loss scale, up to the 95th percentile of all their losses', () => {
    const a = Array.from({ length: 100 }, (_, i) => i / 25); // 0 .. 3.96
    const s = lossScale([a, [NaN, 0.1]]);
    expect(s.min).toBe(0);
    expect(s.max).toBe(4);
    expect(lossScale([[0.1, 0.2]]).max).toBe(1);
  });

  it('draws the legend gradient through every stop', () => {
    expect(scaleGradient('diverging')).toMatch(/^linear-gradient\(to right, #2166ac 0%, .* #b2182b 100%\)$/);
  });
});

describe('float32 decoding', () => {
  it('reads little-endian floats from an aligned view without copying', () => {
    const bytes = float32Bytes([1.5, -2, 0.25]);
    const out = decodeFloat32(bytes);
    expect(Array.from(out)).toEqual([1.5, -2, 0.25]);
    expect(out.buffer).toBe(bytes.buffer);
  });

  it('copies when the bytes start at an offset that is not a multiple of 4', () => {
    const bytes = float32Bytes([3.25, -0.5], 3);
    expect(bytes.byteOffset % 4).toBe(3);
    const out = decodeFloat32(bytes);
    expect(Array.from(out)).toEqual([3.25, -0.5]);
    expect(out.buffer).not.toBe(bytes.buffer);
  });

  it('reads little-endian even on a big-endian machine', () => {
    expect(Array.from(decodeFloat32(float32Bytes([1, 2]), false))).toEqual([1, 2]);
  });

  it('refuses a length that is not whole floats', () => {
    expect(() => decodeFloat32(new Uint8Array(6))).toThrow(/multiple of 4/);
  });

  it('takes one unit out of a (T, H) array and checks the shape', () => {
    const values = Float32Array.from([0, 1, 2, 10, 11, 12]); // T = 2, H = 3
    expect(Array.from(unitColumn(values, 2, 3, 1))).toEqual([1, 11]);
    expect(() => unitColumn(values, 3, 3, 0)).toThrow(/3 x 3/);
    expect(() => unitColumn(values, 2, 3, 3)).toThrow(/outside/);
  });
});

describe('passages', () => {
  it('asks for a slice of the validation text, or the user\'s own text, within the limit', () => {
    expect(passageRequest({ source: 'validation', start: 10, length: 300 })).toEqual({ ok: true, req: { start: 10, length: 300 } });
    expect(passageRequest({ source: 'validation', start: -1, length: 300 }).ok).toBe(false);
    expect(passageRequest({ source: 'validation', start: 0, length: DIAGNOSE_MAX_PASSAGE + 1 }).ok).toBe(false);
    expect(passageRequest({ source: 'validation', start: 0, length: 2.5 }).ok).toBe(false);
    expect(passageRequest({ source: 'own', text: 'hello' })).toEqual({ ok: true, req: { text: 'hello' } });
    expect(passageRequest({ source: 'own', text: 'x' }).ok).toBe(false);
    const long = passageRequest({ source: 'own', text: 'a'.repeat(DIAGNOSE_MAX_PASSAGE + 1) });
    expect(long.ok).toBe(false);
    expect(!long.ok && long.message).toMatch(/5,000/);
  });

  it('counts characters as code points, as the vocabulary does', () => {
    expect(splitChars('a😀b')).toEqual(['a', '😀', 'b']);
    expect(passageRequest({ source: 'own', text: '😀😀' }).ok).toBe(true);
  });

  it('cuts a long passage into pages', () => {
    expect(passagePage(2500, 0, 1000)).toEqual({ page: 0, pages: 3, from: 0, to: 1000 });
    expect(passagePage(2500, 2, 1000)).toEqual({ page: 2, pages: 3, from: 2000, to: 2500 });
    expect(passagePage(2500, 9, 1000).page).toBe(2);
    expect(passagePage(0, 0, 1000)).toEqual({ page: 0, pages: 1, from: 0, to: 0 });
  });

  it('gives nll[i] to character i + 1, the one it predicted; the first character has no loss', () => {
    const out = lossPerChar(4, [0.1, 0.2, 0.3]);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Array.from(out.slice(1))).toEqual([0.1, 0.2, 0.3]);
  });

  it('shows newlines and tabs as visible marks', () => {
    expect(shownChar('\n')).toBe('↵\n');
    expect(shownChar('\t')).toBe('⇥');
    expect(shownChar('a')).toBe('a');
  });
});

describe('lag chart data', () => {
  const describeRun = (id: number) => ({ label: `run ${id}`, color: '#000000' });

  it('draws one line per run of the chosen layer and state, lag on x', () => {
    const a = gradientFlowReport({ runId: 1, h: [[1, 0.5, 0.25], [2, 1, 0.5]], c: null, maxLag: 2 });
    const b = gradientFlowReport({ runId: 2, h: [[1, 0.9, 0.8]], c: [[1, 1, 1]], maxLag: 2 });
    expect(lagLines([a, b], 0, 'h', describeRun).map((l) => l.points)).toEqual([
      [{ x: 0, y: 1 }, { x: 1, y: 0.5 }, { x: 2, y: 0.25 }],
      [{ x: 0, y: 1 }, { x: 1, y: 0.9 }, { x: 2, y: 0.8 }],
    ]);
    // layer 2 and the cell state exist only for one run each
    expect(lagLines([a, b], 1, 'h', describeRun).map((l) => l.runId)).toEqual([1]);
    expect(lagLines([a, b], 0, 'c', describeRun).map((l) => l.runId)).toEqual([2]);
    expect(layerCount([a, b])).toBe(2);
  });

  it('leaves out what a log scale cannot show: zeros and non-finite values', () => {
    const r = gradientFlowReport({ h: [[1, 0, NaN, 1e-30]], maxLag: 3 });
    expect(lagLines([r], 0, 'h', describeRun)[0].points).toEqual([{ x: 0, y: 1 }, { x: 3, y: 1e-30 }]);
  });

  it('reports what is left of the lag-0 gradient at lag k', () => {
    const r = gradientFlowReport({ h: [[2, 1, 0.5]], c: null, maxLag: 2 });
    expect(retainedAt(r, 0, 2)).toBe(0.25);
    expect(retainedAt(r, 0, 5)).toBeNull();
    expect(retainedAt(r, 0, 1, 'c')).toBeNull();
  });

  it('reads the clip threshold from a run config, none when 0 or absent', () => {
    expect(clipThreshold({ train: { clip: 5 } })).toBe(5);
    expect(clipThreshold({ train: { clip: 0 } })).toBeNull();
    expect(clipThreshold({})).toBeNull();
  });

  it('marks the steps where clipping acted', () => {
    const h = { step: [1, 2, 3, 4], gradNorm: [9, 3, 7, 2], clipped: [true, false, true, false] };
    const p = gradHistoryPoints(h, 100);
    expect(p.line).toHaveLength(4);
    expect(p.clipped).toEqual([{ x: 1, y: 9 }, { x: 3, y: 7 }]);
    expect(p.clippedCount).toBe(2);
    expect(gradHistoryPoints({ step: [1, 2, 3, 4, 5, 6], gradNorm: [9, 9, 9, 9, 9, 9], clipped: Array(6).fill(true) }, 2).clipped.length).toBeLessThanOrEqual(2);
  });
});

describe('runs of the cell views', () => {
  const runs = [
    makeRun({ id: 1, cell: 'rnn', seed: 2, step: 10 }),
    makeRun({ id: 2, cell: 'rnn', seed: 1, step: 10 }),
    makeRun({ id: 3, cell: 'lstm', seed: 3, step: 10 }),
    makeRun({ id: 4, cell: 'lstm', seed: 2, step: 10 }),
    makeRun({ id: 5, cell: 'gru', seed: 1, step: 0 }),
  ];

  it('offers the runs that have trained a step (and so have a checkpoint)', () => {
    expect(trainedRuns(runs).map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('colours runs by their cell, as the Experiment screen does', () => {
    const c = runColors(runs);
    expect(c.get(1)).toBe(c.get(2));
    expect(c.get(3)).toBe(c.get(4));
    expect(c.get(1)).not.toBe(c.get(3));
  });
});
