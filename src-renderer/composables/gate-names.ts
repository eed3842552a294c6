/**
 * A gate's name as the interface says it, in the app's language, from its short name in the
 * equations (src-shared/cells.ts names them once, in English, for the lab and the report).
 */
import { tr } from '../i18n.ts';

const GATES: Record<string, () => string> = {
  i: () => tr('equations.gate.i'),
  f: () => tr('equations.gate.f'),
  o: () => tr('equations.gate.o'),
  g: () => tr('equations.gate.g'),
  n: () => tr('equations.gate.n'),
  r: () => tr('equations.gate.r'),
  z: () => tr('equations.gate.z'),
};

/** "forget gate" for f; a gate of a cell we do not know keeps the label the lab gave it. */
export function gateLabel(gate: { name: string; label: string }): string {
  return Object.hasOwn(GATES, gate.name) ? GATES[gate.name]() : gate.label;
}
