/**
 * A series of (step, value) points that never holds more than `capacity`: when
 * full, neighbouring points are merged in pairs (their mean), so hours of
 * training keep their whole shape at a coarser grain instead of losing the start.
 */
export class History {
  readonly steps: number[] = [];
  readonly values: number[] = [];

  constructor(private readonly capacity = 400) {}

  get length(): number {
    return this.steps.length;
  }

  push(step: number, value: number): void {
    const last = this.steps.length - 1;
    if (last >= 0 && step <= this.steps[last]) {
      // The same step again (a snapshot after a sub-step): keep the newest value.
      this.values[last] = value;
      return;
    }
    this.steps.push(step);
    this.values.push(value);
    if (this.steps.length > this.capacity) this.halve();
  }

  private halve(): void {
    const steps: number[] = [], values: number[] = [];
    for (let i = 0; i + 1 < this.steps.length; i += 2) {
      steps.push(this.steps[i + 1]);
      values.push((this.values[i] + this.values[i + 1]) / 2);
    }
    if (this.steps.length % 2 === 1) {
      steps.push(this.steps[this.steps.length - 1]);
      values.push(this.values[this.values.length - 1]);
    }
    this.steps.splice(0, Infinity, ...steps);
    this.values.splice(0, Infinity, ...values);
  }

  clear(): void {
    this.steps.length = 0;
    this.values.length = 0;
  }

  points(): [number, number][] {
    return this.steps.map((s, i) => [s, this.values[i]]);
  }
}
