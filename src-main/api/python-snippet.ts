/**
 * A short Python snippet that loads an exported .safetensors model into torch.nn modules (no
 * `safetensors` package: the file is an 8-byte header length, a JSON header and raw little-endian
 * float32 data) and prints the next-character probabilities after a prime string. Shown in the
 * export dialog next to the Download button.
 */
import { CELL_CATALOGUE } from '../../src-shared/cells.ts';
import type { ModelConfig } from '../../src-worker/engine/config.ts';

/** A Python string literal (a JSON string is one, escapes included). */
const py = (s: string): string => JSON.stringify(s);

/**
 * The snippet for a model of this config saved as `fileName`, or null for cells torch.nn has no
 * module for (the export dialog gives the catalogue's reason instead). `prime` must be non-empty
 * and made of vocabulary characters.
 */
export function pythonSnippet(config: ModelConfig, fileName: string, prime = 'The '): string | null {
  const { module } = CELL_CATALOGUE[config.cell].torch;
  if (!module) return null;
  const { vocabSize: V, hidden: H, layers: L, embedding: E } = config;
  const input = E > 0
    ? [
      `embedding = torch.nn.Embedding(${V}, ${E})`,
      'embedding.load_state_dict(part("embedding."))',
      'embed = embedding  # (batch, time) token ids -> (batch, time, input_size)',
    ]
    : [`embed = lambda ids: torch.nn.functional.one_hot(ids, ${V}).float()  # one-hot input`];
  return [
    `# ${fileName}: RNN Lab ${config.cell} model (V=${V}, H=${H}, ${L} layer${L === 1 ? '' : 's'}, ${E > 0 ? `embedding ${E}` : 'one-hot input'})`,
    'import json, struct',
    'import torch',
    '',
    `raw = open(${py(fileName)}, "rb").read()`,
    'n = struct.unpack("<Q", raw[:8])[0]  # safetensors: header length, JSON header, float32 data',
    'header = json.loads(raw[8:8 + n])',
    'meta = header.pop("__metadata__")',
    'tensors = {name: torch.frombuffer(bytearray(raw[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][1]]),',
    '                                  dtype=torch.float32).reshape(t["shape"]) for name, t in header.items()}',
    'part = lambda prefix: {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}',
    'vocab = json.loads(meta["vocab"])  # token id -> character',
    'stoi = {c: i for i, c in enumerate(vocab)}',
    '',
    ...input,
    `rnn = torch.nn.${module}(input_size=${E > 0 ? E : V}, hidden_size=${H}, num_layers=${L}, batch_first=True)`,
    'rnn.load_state_dict(part("rnn."))',
    `decoder = torch.nn.Linear(${H}, ${V})`,
    'decoder.load_state_dict(part("decoder."))',
    '',
    `prime = ${py(prime)}`,
    'with torch.no_grad():',
    '    out, state = rnn(embed(torch.tensor([[stoi[c] for c in prime]])))  # pass state on to continue',
    '    probs = torch.softmax(decoder(out[0, -1]), dim=-1)  # next-character probabilities',
    'for p, i in zip(*probs.topk(min(5, len(vocab)))):',
    '    print(repr(vocab[i]), round(p.item(), 4))',
    '',
  ].join('\n');
}
