/**
 * The report in Korean: from the same catalogues as the app, with <html lang>, its headings,
 * table heads, durations and dates in Korean, and nothing of the English sections left; English
 * stays the default, also right after a Korean one; `rnn-lab report --lang ko` writes it and an
 * unknown language is refused by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReport } from '../../src-main/api/exports.ts';
import type { Lab } from '../../src-main/lab/lab.ts';
import { buildReport } from '../../src-main/report/report.ts';
import { englishCorpus, removeSandboxes, sandbox, TINY } from '../cli/cli-helpers.ts';
import { englishText, temporaryLab } from '../e2e/support.ts';

let lab: Lab;
let dispose: () => Promise<void>;
let experimentId: number;
let ko: string;
let en: string;

const KOREAN_HEADINGS = ['무엇을 비교했는가', '시드에 걸친 요약', '기준선', '요약', '손실 곡선', '설정', '학습 중 샘플'];
const ENGLISH_HEADINGS = ['What was compared', 'Summary over seeds', 'Baselines', 'Summary', 'Loss curves', 'Configurations', 'Samples over training'];

/** the text of every <h2>, in order */
const headings = (html: string): string[] => [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);

beforeAll(async () => {
  ({ lab, dispose } = temporaryLab('report-ko', 1));
  const { corpus } = lab.importCorpus(new TextEncoder().encode(englishText(3000)), { name: 'poems' });
  const created = lab.createExperiment({
    corpusId: corpus.id,
    name: '한국어 보고서',
    spec: {
      cells: ['rnn'],
      budget: { mode: 'hidden', hidden: 8 },
      train: { seqLen: 8, batch: 2, steps: 20, optimizer: { name: 'adam', lr: 0.01 } },
      cadence: { evalEvery: 10, evalChars: 200, checkpointEvery: 10, sampleEvery: 10, sampleLength: 20 },
    },
  });
  experimentId = created.experiment.id;
  lab.runExperiment(experimentId);
  await lab.whenIdle();
  const now = new Date(Date.UTC(2025, 0, 2, 3, 4));
  ko = buildReport(lab, experimentId, { now, baselines: null, lang: 'ko' });
  en = buildReport(lab, experimentId, { now, baselines: null });
}, 60_000);

afterAll(async () => {
  await dispose();
  removeSandboxes();
});

describe('the report in Korean', () => {
  it('says its language and has every section in Korean, in the same order as in English', () => {
    expect(ko).toMatch(/^<!DOCTYPE html>\n<html lang="ko">/);
    expect(headings(ko)).toEqual(KOREAN_HEADINGS);
    expect(headings(en)).toEqual(ENGLISH_HEADINGS);
    expect(en).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });

  it('writes its own words in Korean: title, byline, table heads, durations and dates', () => {
    expect(ko).toContain('<title>한국어 보고서: 보고서</title>');
    expect(ko).toContain('RNN Lab 보고서 · 2025년 1월 2일 03:04 UTC 작성');
    expect(ko).toContain('<th class="left">실행</th><th class="left">상태</th><th>스텝</th><th>최저 검증 손실</th>');
    expect(ko).toContain('<dt>비교한 셀</dt><dd>rnn</dd>');
    expect(ko).toContain('이 말뭉치의 기준선을 계산하지 못했습니다');
    // the summary's time column: a training of 20 tiny steps takes seconds
    expect(ko).toMatch(/<td>\d+(\.\d)?초<\/td>/);
    expect(ko).toMatch(/20 스텝(\(최근\))?, 온도 /);
    for (const english of ['What was compared', 'Loss curves', 'Best val loss', 'generated', 'Made by RNN Lab', 'training step']) expect(ko).not.toContain(english);
  });

  it('says the verdict over seeds in Korean, the same sentence as the app says it, and in English as the CLI does', () => {
    const verdict = (html: string): string[] => [...html.matchAll(/<div class="verdict" data-metric="loss">.*?<\/div>/gs)].map((m) => m[0].replace(/<[^>]+>/g, ''));
    expect(verdict(ko)).toEqual(['판정셀이 하나뿐이라 비교할 대상이 없습니다.']);
    expect(verdict(en)).toEqual(['VerdictOne cell only: nothing to compare it with.']);
  });

  it('leaves English as it was, and the default after a Korean one', () => {
    expect(en).toContain('RNN Lab report · generated Jan 2, 2025, 03:04 UTC · experiment #');
    expect(en).toContain('<th class="left">Run</th><th class="left">Status</th><th>Steps</th><th>Best val loss</th>');
    expect(en).toContain('perplexity = e<sup>loss</sup>');
    expect(en).toMatch(/<td>\d+(\.\d)?s<\/td>/);
  });

  it('comes from exportReport in the language asked for', async () => {
    const file = await exportReport(lab, experimentId, 'ko');
    expect(file.text).toMatch(/<html lang="ko">/);
    expect((await exportReport(lab, experimentId)).text).toMatch(/<html lang="en">/);
  });
});

describe('rnn-lab report --lang', () => {
  it('writes the report in Korean, and refuses a language the app does not speak', async () => {
    const s = sandbox('report-lang');
    const corpus = await englishCorpus(s);
    const exp = await s.json('experiment', 'create', '--corpus', corpus, '--cells', 'rnn', ...TINY, '--name', 'lang');
    await s.json('experiment', 'run', exp.id);
    const out = join(s.dir, 'r.html');
    await s.json('report', exp.id, '--out', out, '--lang', 'ko');
    expect(headings(readFileSync(out, 'utf8'))).toEqual(KOREAN_HEADINGS);
    await s.fails(['report', exp.id, '--out', out, '--lang', 'fr'], /--lang must be one of en, ko \(the languages of the app\), got "fr"/, 1);
  });
});
