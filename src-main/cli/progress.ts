/**
 * Progress of several runs on a terminal: one line per run, redrawn in place at most a few times a
 * second on a TTY; elsewhere (pipes, CI logs) a line per run whenever its progress moves by 10%.
 */
interface RunProgress {
  id: number;
  label: string;
  status: string;
  step: number;
  steps: number;
  trainLoss: number | null;
  valLoss: number | null;
  charsPerSecond: number | null;
}

export class ProgressView {
  private readonly rows = new Map<number, RunProgress>();
  private drawn = 0;
  private lastDraw = 0;
  private readonly lastLogged = new Map<number, string>();

  constructor(private readonly out: NodeJS.WriteStream, private readonly minIntervalMs = 250) {}

  update(p: RunProgress): void {
    this.rows.set(p.id, p);
    if (this.out.isTTY) {
      if (Date.now() - this.lastDraw >= this.minIntervalMs) this.draw();
    } else {
      const bucket = `${p.status}:${Math.floor((10 * p.step) / Math.max(1, p.steps))}`;
      if (this.lastLogged.get(p.id) !== bucket) {
        this.lastLogged.set(p.id, bucket);
        this.out.write(formatLine(p, 20) + '\n');
      }
    }
  }

  /** Final redraw, so the last state stays on screen. */
  finish(): void {
    if (this.out.isTTY) this.draw();
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const width = Math.max(10, Math.min(30, (this.out.columns ?? 100) - 75));
    const lines = [...this.rows.values()].map((p) => formatLine(p, width));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.out.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.drawn = lines.length;
  }
}

function formatLine(p: RunProgress, width: number): string {
  const frac = p.steps > 0 ? Math.min(1, p.step / p.steps) : 0;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const num = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));
  return `#${String(p.id).padEnd(4)} ${p.label.padEnd(22)} ${bar} ${String(Math.round(frac * 100)).padStart(3)}% ${p.status.padEnd(11)} step ${p.step}/${p.steps}  loss ${num(p.trainLoss, 3)}  val ${num(p.valLoss, 3)}  ${num(p.charsPerSecond, 0)} c/s`;
}
