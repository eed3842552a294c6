/**
 * Accuracy on the positions a task marks (predictable or longRange), from the per-position
 * `correct` flags of an evaluation. Evaluating ids = tokens of text from character `offset` on,
 * evaluation position i predicts ids[i + 1], that is text[offset + i + 1]; so correct[i] is scored
 * when mask[offset + i + 1] is set.
 */
export interface MaskedAccuracy {
  /** masked positions predicted right */
  hits: number;
  /** masked positions evaluated */
  total: number;
  /** hits / total; NaN when no masked position was evaluated */
  accuracy: number;
}

export function maskedAccuracy(correct: Uint8Array, mask: Uint8Array, offset: number): MaskedAccuracy {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a whole number >= 0, got ${offset}`);
  if (offset + correct.length + 1 > mask.length) {
    throw new RangeError(`${correct.length} evaluation positions from text offset ${offset} reach text position ${offset + correct.length}, beyond the mask of ${mask.length}`);
  }
  let hits = 0;
  let total = 0;
  for (let i = 0; i < correct.length; i++) {
    if (mask[offset + i + 1]) {
      total++;
      if (correct[i]) hits++;
    }
  }
  return { hits, total, accuracy: total > 0 ? hits / total : NaN };
}
