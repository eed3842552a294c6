/**
 * The cells the lab trains, declared once for every layer: per cell its gates in the order of its
 * gate blocks, ONNX's order of those blocks where it differs, whether it carries a cell state, its
 * biases and peepholes, and the torch.nn module that runs it unchanged (or why there is none).
 * The engine's cells point at their entries (src-worker/engine/cells/cell.ts); the gate traces,
 * ONNX export, model files, the Python snippet and the renderer's equations read it from here.
 */

export type CellName = 'rnn' | 'lstm' | 'lstm-peephole' | 'gru' | 'gru-reset-after';

export interface GateInfo {
  /** short name, as in the cell's equations */
  name: string;
  label: string;
  /** sigmoid gates lie in [0, 1], tanh candidates in [-1, 1] */
  activation: 'sigmoid' | 'tanh';
}

/** torch.nn's module that loads a cell's weights and runs it unchanged, or why there is none. */
type TorchModule = { module: 'RNN' | 'LSTM' | 'GRU' } | { module: null; reason: string };

export interface CellSpec {
  /** what sentences and legends call the cell */
  title: string;
  /**
   * The gates in the order of the cell's H-sized blocks in W_x, W_h and the biases: PyTorch's
   * order, so the weights need no reordering for torch.nn. Empty for the vanilla RNN, whose one
   * block is h's own pre-activation.
   */
  gates: readonly GateInfo[];
  /** ONNX's order of the same blocks, by our gate names, where it differs from ours */
  onnxGates?: readonly string[];
  /** the ONNX operator that runs the cell */
  onnxOp: 'RNN' | 'LSTM' | 'GRU';
  /** a cell state c beside h */
  cellState: boolean;
  /** a second bias b_h beside b_x, as PyTorch has (all but the Cho GRU) */
  twoBiases: boolean;
  /** the gates that also see the cell state through diagonal weights, in the order of their rows */
  peepholes: readonly string[];
  torch: TorchModule;
}

const LSTM_GATES: readonly GateInfo[] = [
  { name: 'i', label: 'input gate', activation: 'sigmoid' },
  { name: 'f', label: 'forget gate', activation: 'sigmoid' },
  { name: 'g', label: 'candidate', activation: 'tanh' },
  { name: 'o', label: 'output gate', activation: 'sigmoid' },
];

/** ONNX's LSTM stacks i, o, f, c (its c is our g) */
const LSTM_ONNX_GATES = ['i', 'o', 'f', 'g'];

const GRU_GATES = (candidate: string): readonly GateInfo[] => [
  { name: 'r', label: 'reset gate', activation: 'sigmoid' },
  { name: 'z', label: 'update gate', activation: 'sigmoid' },
  { name: candidate, label: 'candidate', activation: 'tanh' },
];

export const CELL_CATALOGUE: { readonly [C in CellName]: CellSpec } = {
  rnn: {
    title: 'RNN',
    gates: [],
    onnxOp: 'RNN',
    cellState: false,
    twoBiases: true,
    peepholes: [],
    torch: { module: 'RNN' },
  },
  lstm: {
    title: 'LSTM',
    gates: LSTM_GATES,
    onnxGates: LSTM_ONNX_GATES,
    onnxOp: 'LSTM',
    cellState: true,
    twoBiases: true,
    peepholes: [],
    torch: { module: 'LSTM' },
  },
  'lstm-peephole': {
    title: 'peephole LSTM',
    gates: LSTM_GATES,
    onnxGates: LSTM_ONNX_GATES,
    onnxOp: 'LSTM',
    cellState: true,
    twoBiases: true,
    peepholes: ['i', 'f', 'o'],
    torch: { module: null, reason: 'torch.nn.LSTM has no peephole connections: rnn.* holds the LSTM weights, but the cell also needs peephole.weight_{i,f,o}_l{k}' },
  },
  gru: {
    title: 'GRU',
    gates: GRU_GATES('g'),
    // ONNX's GRU stacks z, r, h (its h is our candidate)
    onnxGates: ['z', 'r', 'g'],
    onnxOp: 'GRU',
    cellState: false,
    twoBiases: false,
    peepholes: [],
    torch: { module: null, reason: 'Cho-form GRU (reset gate before the recurrent product, one bias): torch.nn.GRU computes the reset-after form, so the tensors are stored under gru_cho.*' },
  },
  'gru-reset-after': {
    title: 'GRU (reset-after)',
    gates: GRU_GATES('n'),
    onnxGates: ['z', 'r', 'n'],
    onnxOp: 'GRU',
    cellState: false,
    twoBiases: true,
    peepholes: [],
    torch: { module: 'GRU' },
  },
};

export function isCellName(name: string): name is CellName {
  return Object.hasOwn(CELL_CATALOGUE, name);
}

/** G: the H-sized blocks of W_x and W_h, one per gate (the vanilla RNN's one block has no gate). */
export function gateBlocks(spec: CellSpec): number {
  return Math.max(1, spec.gates.length);
}
