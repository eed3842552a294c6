/** Runs on a terminal: trained in the foreground with progress, and their lines in listings. */
import type { EvalRow, LabEvent, Run } from '../api/contract.ts';
import type { Context } from './command.ts';
import { ProgressView } from './progress.ts';

function runLabel(r: Run): string {
  return `${r.cell} seed ${r.seed}`;
}

export function formatRun(r: Run): string {
  const loss = r.bestValLoss === null ? '-' : r.bestValLoss.toFixed(4);
  return `${String(r.id).padStart(5)}  ${r.cell.padEnd(16)}${r.trial ? ` trial ${String(r.trial.index).padEnd(3)}` : ''} seed ${String(r.seed).padEnd(3)} ${r.status.padEnd(11)} step ${String(r.step).padStart(7)}/${String(r.steps).padEnd(7)} best val ${loss.padEnd(7)} params ${r.params}${r.error ? `  (${r.error})` : ''}`;
}

/** One evaluation on the validation text; task corpora add the accuracy where long-range memory is needed. */
export function formatEval(e: EvalRow): string {
  const longRange = e.longRangeAccuracy == null ? '' : `, long-range ${(100 * e.longRangeAccuracy).toFixed(1)}%`;
  return `  step ${e.step}: val ${e.valLoss.toFixed(4)} nats, ${e.bitsPerChar.toFixed(4)} bits/char, accuracy ${(100 * e.accuracy).toFixed(1)}%${longRange}`;
}

/** Trains the given runs in the foreground with progress; Ctrl-C pauses them with a checkpoint. */
export async function trainInForeground(ctx: Context, runIds: number[]): Promise<Run[]> {
  const { lab, io } = ctx;
  const view = ctx.json ? null : new ProgressView(ctx.io.stdout);
  const latest = new Map<number, { trainLoss: number | null; valLoss: number | null; cps: number | null; step: number }>();
  const show = (run: Run): void => {
    const l = latest.get(run.id);
    view?.update({ id: run.id, label: runLabel(run), status: run.status, step: l?.step ?? run.step, steps: run.steps, trainLoss: l?.trainLoss ?? null, valLoss: l?.valLoss ?? run.bestValLoss, charsPerSecond: l?.cps ?? null });
  };
  const off = lab.on((e: LabEvent) => {
    if (e.type === 'run') {
      if (runIds.includes(e.run.id)) show(e.run);
      return;
    }
    if (!runIds.includes(e.runId)) return;
    const l = latest.get(e.runId) ?? { trainLoss: null, valLoss: null, cps: null, step: 0 };
    if (e.type === 'metrics') {
      const last = e.rows[e.rows.length - 1];
      Object.assign(l, { trainLoss: last.trainLoss, cps: last.charsPerSecond, step: last.step });
    } else if (e.type === 'eval') {
      l.valLoss = e.valLoss;
    } else {
      return;
    }
    latest.set(e.runId, l);
    show(lab.run(e.runId));
  });
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) return;
    interrupted = true;
    io.err('\npausing (writing checkpoints)...\n');
    for (const runId of lab.busy) {
      try {
        lab.pauseRun(runId);
      } catch {
        // it ended meanwhile
      }
    }
  };
  process.on('SIGINT', onSigint);
  try {
    for (const r of runIds) show(lab.run(r));
    await lab.whenIdle();
  } finally {
    process.off('SIGINT', onSigint);
    off();
    view?.finish();
  }
  const runs = runIds.map((r) => lab.run(r));
  if (!ctx.json) {
    const paused = runs.filter((r) => r.status === 'paused');
    if (paused.length) io.out(`paused: resume with ${paused.map((r) => `rnn-lab run resume ${r.id}`).join(' ; ')}\n`);
    for (const r of runs.filter((x) => x.status === 'failed')) io.out(`run ${r.id} (${runLabel(r)}) failed: ${r.error}\n`);
  }
  // a script can tell: 130 after Ctrl-C, 1 when a run failed (the others may have completed)
  if (interrupted) ctx.exitCode = 130;
  else if (runs.some((r) => r.status === 'failed')) ctx.exitCode = 1;
  return runs;
}
