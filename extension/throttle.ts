/**
 * Delivers at most one value per interval; values that arrive in between replace
 * each other, and the latest is delivered when the interval is up (latest wins).
 */
export class LatestWins<T> {
  private last = -Infinity;
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private intervalMs: number, private readonly deliver: (value: T) => void) {}

  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
  }

  push(value: T): void {
    const wait = this.last + this.intervalMs - performance.now();
    if (wait <= 0 && !this.timer) return this.send(value);
    this.pending = { value };
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.pending) this.send(this.pending.value);
    }, Math.max(0, wait));
  }

  private send(value: T): void {
    this.pending = null;
    this.last = performance.now();
    this.deliver(value);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
