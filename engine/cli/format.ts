export function fixed(x: number, digits = 4): string {
  return x.toFixed(digits);
}

/** 12345.6 -> "12,346" */
export function count(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
