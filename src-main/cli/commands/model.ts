/**
 * Trained models: text a run's checkpoint or an imported model evaluates or writes (eval, generate),
 * and model files (rnn-lab model export, import, list, rm).
 */
import { basename, extname } from 'node:path';
import { jsonLimitProblem } from '../../../src-shared/json-limits.ts';
import { CorpusError, prepareCorpus } from '../../lab/corpora.ts';
import { LabError } from '../../lab/lab.ts';
import { checkpointOption, id, realNumber, str, wholeNumber, whichCheckpoint } from '../args.ts';
import type { Command } from '../command.ts';
import { readFile, writeFile } from '../files.ts';
import { listCommand, removeCommand } from '../shapes.ts';
import { oneLine } from '../terminal.ts';

function parseVocab(bytes: Uint8Array): string[] {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CorpusError('invalid-utf8', `vocabulary file is not valid JSON: ${(e as Error).message}`);
  }
  const tooLarge = jsonLimitProblem(v);
  if (tooLarge !== null) throw new LabError('bad-input', `vocabulary file ${tooLarge}`);
  if (Array.isArray(v)) return v; // the lab checks every entry as the engine does
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    const out: string[] = [];
    for (const [c, i] of entries) {
      if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= entries.length) throw new LabError('bad-input', `vocabulary id of ${JSON.stringify(c)} must be 0..${entries.length - 1}`);
      const taken = out[i as number];
      if (taken !== undefined) throw new LabError('bad-input', `vocabulary id ${i} is given to both ${JSON.stringify(taken)} and ${JSON.stringify(c)}; every id must have one character`);
      out[i as number] = c;
    }
    return out;
  }
  throw new LabError('bad-input', 'vocabulary must be a JSON list of characters or an object {character: id}');
}

export const MODEL_COMMANDS: Command[] = [
  {
    name: 'eval',
    usage: 'RUN --text FILE [--checkpoint best|last]',
    summary: "a run's loss on another text: nats and bits per character, perplexity, accuracy",
    positionals: ['run'],
    options: { text: { type: 'string' }, ...checkpointOption },
    async run(ctx) {
      const file = str(ctx, 'text');
      if (file === undefined) throw new LabError('bad-input', '--text FILE is required');
      const text = prepareCorpus(readFile(file, 'text file'), { minWindow: { seqLen: 1, batch: 1 }, validFraction: 0.5, evaluationOnly: true }).text;
      const r = await ctx.lab.evaluate(id(ctx), text, whichCheckpoint(ctx));
      if (!ctx.json) ctx.io.out(`${r.loss.toFixed(4)} nats/char, ${r.bitsPerChar.toFixed(4)} bits/char, perplexity ${r.perplexity.toFixed(3)}, accuracy ${(100 * r.accuracy).toFixed(2)}% over ${r.count} characters\n`);
      return { loss: r.loss, bits_per_char: r.bitsPerChar, perplexity: r.perplexity, accuracy: r.accuracy, chars: r.count };
    },
  },
  {
    name: 'generate',
    usage: 'RUN | --model MODEL [--prime TEXT] [--length N] [--temperature X] [--top-k K] [--seed S] [--checkpoint best|last]',
    summary: "text from a run's checkpoint (default last) or an imported model, streamed as it is written",
    positionals: ['run?'],
    options: {
      model: { type: 'string' },
      prime: { type: 'string', default: '\n' },
      length: { type: 'string', default: '500' },
      temperature: { type: 'string', default: '0.8' },
      'top-k': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      checkpoint: { type: 'string' },
    },
    async run(ctx) {
      const model = str(ctx, 'model');
      if ((model === undefined) === (ctx.positionals[0] === undefined)) throw new LabError('bad-input', 'give a RUN id or --model MODEL (an imported model), not both');
      if (model !== undefined && str(ctx, 'checkpoint') !== undefined) throw new LabError('bad-input', '--checkpoint applies to runs, not to imported models');
      const prime = str(ctx, 'prime')!;
      // the prime is echoed once the lab has accepted it, so a refusal leaves stdout empty
      let echoed = ctx.json;
      const echo = (): void => {
        if (!echoed) ctx.io.out(prime);
        echoed = true;
      };
      const opts = {
        prime,
        length: wholeNumber('--length', str(ctx, 'length')!, 0),
        temperature: realNumber('--temperature', str(ctx, 'temperature')!),
        topK: wholeNumber('--top-k', str(ctx, 'top-k')!, 0),
        seed: wholeNumber('--seed', str(ctx, 'seed')!, 0),
      };
      const onText = ctx.json ? undefined : (t: string): void => {
        echo();
        ctx.io.out(t);
      };
      const text = model !== undefined
        ? await ctx.lab.generateFromModel(wholeNumber('--model', model), opts, onText)
        : await ctx.lab.generate(id(ctx), { ...opts, checkpoint: whichCheckpoint(ctx, 'last') }, onText);
      echo();
      if (!ctx.json) ctx.io.out('\n');
      return { prime, text };
    },
  },
  {
    name: 'model export',
    usage: 'RUN --out FILE.safetensors|FILE.onnx [--onnx step|whole] [--checkpoint best|last]',
    summary: "a run's checkpoint as .safetensors (torch.nn loads it unchanged) or ONNX",
    notes: ['--onnx step: one step with its states in and out; --onnx whole: a whole sequence'],
    positionals: ['run'],
    options: { out: { type: 'string' }, onnx: { type: 'string', default: 'step' }, ...checkpointOption },
    run(ctx) {
      const out = str(ctx, 'out');
      if (out === undefined || !/\.(safetensors|onnx)$/i.test(out)) throw new LabError('bad-input', '--out FILE.safetensors or FILE.onnx is required');
      const onnx = str(ctx, 'onnx');
      if (onnx !== 'step' && onnx !== 'whole') throw new LabError('bad-input', `--onnx must be step or whole, got ${JSON.stringify(onnx)}`);
      const format = out.toLowerCase().endsWith('.onnx') ? (onnx === 'step' ? 'onnx-step' : 'onnx-whole') : 'safetensors';
      const bytes = ctx.lab.exportModel(id(ctx), whichCheckpoint(ctx), format);
      writeFile(out, bytes);
      if (!ctx.json) ctx.io.out(`wrote ${out} (${bytes.length} bytes)\n`);
      return { out, bytes: bytes.length };
    },
  },
  {
    name: 'model import',
    usage: 'FILE [--vocab VOCAB.json] [--name NAME]',
    summary: 'store a model file (ours, or a PyTorch state_dict with --vocab); prints its id',
    positionals: ['file'],
    options: { vocab: { type: 'string' }, name: { type: 'string' } },
    run(ctx) {
      const file = ctx.positionals[0];
      const bytes = readFile(file, 'model file');
      const vocabFile = str(ctx, 'vocab');
      const vocab = vocabFile === undefined ? undefined : parseVocab(readFile(vocabFile, 'vocabulary file'));
      const { model, existing } = ctx.lab.importModel(bytes, { name: str(ctx, 'name') ?? basename(file, extname(file)), vocab });
      const c = model.config;
      if (!ctx.json) {
        ctx.io.out(`${existing ? 'already imported' : 'imported'}: model ${model.id} "${oneLine(model.name)}", a ${c.cell} model, ${c.layers} layer(s) of ${c.hidden}, ${model.params} parameters, ${model.vocab.length} characters\n`);
      }
      return { id: model.id, existing, config: c, params: model.params, vocab: model.vocab, provenance: model.provenance };
    },
  },
  listCommand({
    name: 'model list',
    summary: 'the imported models',
    key: 'models',
    empty: 'no models yet: rnn-lab model import FILE [--vocab VOCAB.json]',
    list: (lab) => lab.listModels(),
    line: (m) => `${String(m.id).padStart(4)}  ${oneLine(m.name).padEnd(36)} ${m.config.cell.padEnd(16)} ${m.format.padEnd(8)} hidden ${String(m.config.hidden).padEnd(5)} layers ${m.config.layers}  ${m.params} params  ${m.vocab.length} characters`,
  }),
  removeCommand({ name: 'model rm', what: 'model', arg: 'MODEL', summary: 'delete an imported model that no experiment starts from', remove: (lab, n) => lab.deleteModel(n) }),
];
