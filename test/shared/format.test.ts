// Byte sizes as the plan, the CLI and the refusals show them.
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src-shared/format.ts';

describe('formatBytes', () => {
  it('uses units of 1024 to 3 significant digits, moving up a unit from 1000 of one', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1000)).toBe('0.977 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(1010 * 1024)).toBe('0.986 MB');
    expect(formatBytes(2_469_134)).toBe('2.35 MB');
    expect(formatBytes(1_000_000_000)).toBe('954 MB');
    expect(formatBytes(2 ** 31)).toBe('2 GB');
    expect(formatBytes(75.9 * 2 ** 30)).toBe('75.9 GB');
    expect(formatBytes(3 * 2 ** 40)).toBe('3 TB');
    expect(formatBytes(5000 * 2 ** 40)).toBe('5000 TB');
  });
});
