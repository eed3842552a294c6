/** "See inside the cells": gradient flow, gate traces and saturation, text-feature units, per-character loss. */
export { gradientFlow, type GradientFlow, type GradientFlowOptions } from './gradient-flow.ts';
export {
  gateInfo, gateSaturation, traceCells, TRACE_MAX_VALUES,
  type CellTrace, type GateInfo, type LayerTrace, type SaturationEntry, type SaturationOptions,
} from './cell-trace.ts';
export { correlatedUnits, pearson, textFeatures, TEXT_FEATURES, type TextFeature, type UnitCorrelation } from './text-features.ts';
export { characterLosses, topK, type CharacterLosses } from './char-loss.ts';
