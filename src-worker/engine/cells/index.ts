import type { Cell, CellName } from './cell.ts';
import { gruResetAfterCell } from './gru-reset-after.ts';
import { gruCell } from './gru.ts';
import { lstmPeepholeCell } from './lstm-peephole.ts';
import { lstmCell } from './lstm.ts';
import { rnnCell } from './rnn.ts';

export type { Cell, CellName, LayerParams, LayerWork } from './cell.ts';

export const CELLS: Readonly<Record<CellName, Cell>> = {
  rnn: rnnCell,
  lstm: lstmCell,
  'lstm-peephole': lstmPeepholeCell,
  gru: gruCell,
  'gru-reset-after': gruResetAfterCell,
};

export const CELL_NAMES = Object.keys(CELLS) as CellName[];
