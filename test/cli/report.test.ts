// rnn-lab report: an experiment as one self-contained HTML page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { englishCorpus, removeSandboxes, sandbox, TINY } from './cli-helpers.ts';

afterAll(removeSandboxes);

describe('rnn-lab report', () => {
  it('writes an experiment as one self-contained HTML file', async () => {
    const s = sandbox('report');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn,gru', ...TINY, '--sample-every', 15, '--name', 'report <me>');
    await s.json('experiment', 'run', exp.id);
    const out = join(s.dir, 'r.html');
    const result = await s.json('report', exp.id, '--out', out);
    expect(result.out).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(result.bytes).toBe(Buffer.byteLength(html));
    expect(html).toContain('<h1>report &lt;me&gt;</h1>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`);
    expect(html.match(/<tr data-run="\d+">/g)).toHaveLength(2);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/<script/i);
    const text = await s.ok('report', exp.id, '--out', out);
    expect(text.stdout).toMatch(/^wrote the report of experiment \d+ to .*r\.html \(\d+ KB, opens offline\)\n$/);
    await s.fails(['report', exp.id, '--out', join(s.dir, 'r.pdf')], /--out FILE\.html is required/, 1);
    await s.fails(['report', 999, '--out', out], /no experiment 999/, 1);
  });
});
