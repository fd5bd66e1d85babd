/** A one-line progress bar for a terminal, redrawn in place at most ten times a second. */
export class ProgressBar {
  private lastDraw = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  /** Whether a redraw is due; callers compute what to show only then. */
  due(): boolean {
    return performance.now() - this.lastDraw >= 100;
  }

  draw(fraction: number, label: string, detail: string): void {
    this.lastDraw = performance.now();
    const width = 24, filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const line = `${label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${detail}`;
    this.out.write(`\r${line.slice(0, (this.out.columns || 100) - 1)}\x1b[K`);
  }

  /** Clears the bar so that a permanent line can take its place. */
  clear(): void {
    this.out.write('\r\x1b[K');
    this.lastDraw = 0;
  }
}
