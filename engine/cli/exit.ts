/** The command line's one exit-code contract (the README lists it). */
export const EXIT = {
  done: 0,
  /** A bug of ours: the stack trace and a line asking to report it. */
  internal: 1,
  /** A flag, a data file or a network spec: a message that says what to fix. */
  badInput: 2,
  /** Training stopped at a step where a number became NaN or infinite. */
  diverged: 3,
} as const;
