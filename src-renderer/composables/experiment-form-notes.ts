/**
 * What the new-experiment form points out about a valid choice: a one-hot vocabulary that takes
 * most of each model's parameters, and cells whose weights torch.nn cannot load.
 */
import type { CellName, PlannedRunInfo } from '../../src-main/api/contract.ts';
import { CELL_CATALOGUE, gateBlocks } from '../../src-shared/cells.ts';

/** The embedding the note suggests: wide enough for characters, far narrower than a large vocabulary. */
export const SUGGESTED_EMBEDDING = 64;

/**
 * Parameters the vocabulary decides: the first layer's input weights W_x (V x G*H, one-hot),
 * decoder W (H x V) and b (V). An embedding E replaces the first with V x E + E x G*H.
 */
function vocabularyParams(cell: CellName, hidden: number, vocab: number, embedding: number): number {
  const gates = gateBlocks(CELL_CATALOGUE[cell]) * hidden;
  const input = embedding > 0 ? vocab * embedding + embedding * gates : vocab * gates;
  return input + hidden * vocab + vocab;
}

export interface VocabularyShare {
  cell: CellName;
  /** of the model's parameters, 0 to 1 */
  share: number;
  params: number;
  /** parameters an embedding of SUGGESTED_EMBEDDING would save at the same hidden size */
  saved: number;
}

/**
 * The cells whose one-hot input and decoder take more than half their parameters, where an
 * embedding would save at least a tenth of them (so a small vocabulary, where the decoder is the
 * bulk and an embedding saves little, says nothing). Empty with an embedding already.
 */
export function vocabularyShares(runs: readonly Pick<PlannedRunInfo, 'cell' | 'hidden' | 'params'>[], vocab: number, embedding: number): VocabularyShare[] {
  if (embedding !== 0) return [];
  const seen = new Set<CellName>();
  const out: VocabularyShare[] = [];
  for (const r of runs) {
    if (seen.has(r.cell)) continue;
    seen.add(r.cell);
    const oneHot = vocabularyParams(r.cell, r.hidden, vocab, 0);
    const saved = oneHot - vocabularyParams(r.cell, r.hidden, vocab, SUGGESTED_EMBEDDING);
    const share = oneHot / r.params;
    if (share > 0.5 && saved >= 0.1 * r.params) out.push({ cell: r.cell, share, params: r.params, saved });
  }
  return out;
}

export interface TorchNote {
  cell: CellName;
  /** torch.nn's module for this kind of cell, which cannot load it */
  module: string;
  /** the catalogue's reason */
  reason: string;
  /** the cell of the same kind that the module does load */
  instead: CellName;
}

/** For each chosen cell torch.nn cannot load, the module of its kind and the cell that module loads. */
export function torchNotes(cells: readonly CellName[]): TorchNote[] {
  const notes: TorchNote[] = [];
  for (const cell of cells) {
    const spec = CELL_CATALOGUE[cell];
    if (spec.torch.module !== null) continue;
    const instead = (Object.keys(CELL_CATALOGUE) as CellName[]).find((c) => CELL_CATALOGUE[c].torch.module === spec.onnxOp);
    if (instead) notes.push({ cell, module: `torch.nn.${spec.onnxOp}`, reason: spec.torch.reason, instead });
  }
  return notes;
}
