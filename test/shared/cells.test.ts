/** The cell catalogue: one declaration of every cell's gates, orders and torch.nn module, which the engine's cells point at. */
import { describe, expect, it } from 'vitest';
import { CELL_CATALOGUE, gateBlocks, isCellName, type CellName } from '../../src-shared/cells.ts';
import { CELL_NAMES, CELLS } from '../../src-worker/engine/cells/index.ts';

const names = Object.keys(CELL_CATALOGUE) as CellName[];

describe('the cell catalogue', () => {
  it('has an entry for every engine cell, which that cell points at', () => {
    expect(names).toEqual(CELL_NAMES);
    for (const c of names) {
      expect(CELLS[c].spec, c).toBe(CELL_CATALOGUE[c]);
      expect(CELLS[c].gates, c).toBe(gateBlocks(CELL_CATALOGUE[c]));
      expect(CELLS[c].hasCellState, c).toBe(CELL_CATALOGUE[c].cellState);
    }
    expect(isCellName('gru')).toBe(true);
    expect(isCellName('transformer')).toBe(false);
    expect(isCellName('toString')).toBe(false);
  });

  it("gives ONNX's order as a reordering of the cell's own gates, and peepholes only on its gates", () => {
    for (const c of names) {
      const spec = CELL_CATALOGUE[c];
      const gates = spec.gates.map((g) => g.name);
      expect(new Set(gates).size, c).toBe(gates.length);
      if (spec.onnxGates) expect([...spec.onnxGates].sort(), c).toEqual([...gates].sort());
      for (const p of spec.peepholes) expect(gates, c).toContain(p);
    }
    expect(CELL_CATALOGUE.lstm.onnxGates).toEqual(['i', 'o', 'f', 'g']);
    expect(gateBlocks(CELL_CATALOGUE.rnn)).toBe(1);
  });

  it('names the torch.nn module of the cells it runs unchanged, and why the others have none', () => {
    const modules = Object.fromEntries(names.map((c) => [c, CELL_CATALOGUE[c].torch.module]));
    expect(modules).toEqual({ rnn: 'RNN', lstm: 'LSTM', 'lstm-peephole': null, gru: null, 'gru-reset-after': 'GRU' });
    for (const c of names) {
      const torch = CELL_CATALOGUE[c].torch;
      if (torch.module === null) expect(torch.reason, c).toMatch(/torch\.nn\.(LSTM|GRU)/);
    }
  });
});
