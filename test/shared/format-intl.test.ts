// Numbers, durations and dates through Intl, per language: English as before Intl, Korean as Korean reads them.
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatInt } from '../../src-shared/format.ts';

describe('formatInt', () => {
  it('groups thousands and rounds, English unless told', () => {
    expect(formatInt(1234567.6)).toBe('1,234,568');
    expect(formatInt(-5000)).toBe('-5,000');
    expect(formatInt(42, 'ko')).toBe('42');
    expect(formatInt(1234567, 'ko')).toBe('1,234,567');
    expect(formatInt(1234567, 'de')).toBe('1.234.567');
    expect(formatInt(null)).toBe('–');
    expect(formatInt(Number.NaN, 'ko')).toBe('–');
  });
});

describe('formatDuration', () => {
  it('keeps the English of before: seconds, then minutes and padded seconds, then hours and padded minutes', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(59.6)).toBe('1m 00s');
    expect(formatDuration(187)).toBe('3m 07s');
    expect(formatDuration(3600 + 5 * 60 + 20)).toBe('1h 05m');
    expect(formatDuration(30 * 3600)).toBe('30h 00m');
    expect(formatDuration(-1)).toBe('–');
    expect(formatDuration(undefined)).toBe('–');
  });

  it('says it in Korean units', () => {
    expect(formatDuration(45, 'ko')).toBe('45초');
    expect(formatDuration(187, 'ko')).toBe('3분 07초');
    expect(formatDuration(3600 + 5 * 60, 'ko')).toBe('1시간 05분');
  });

  it('gives tenths under ten seconds when asked (the report)', () => {
    expect(formatDuration(4.23, 'en', { tenths: true })).toBe('4.2s');
    expect(formatDuration(4.23, 'ko', { tenths: true })).toBe('4.2초');
    expect(formatDuration(12.3, 'en', { tenths: true })).toBe('12s');
  });
});

describe('formatDateTime', () => {
  it('gives the minute in UTC, naming it, in each language', () => {
    const d = new Date(Date.UTC(2025, 0, 2, 3, 4, 59));
    expect(formatDateTime(d)).toBe('Jan 2, 2025, 03:04 UTC');
    expect(formatDateTime(d, 'ko')).toBe('2025년 1월 2일 03:04 UTC');
  });
});
