/**
 * Check My Backprop: the student's file run piece by piece against the engine's
 * reference, and the report that says which piece is wrong, where, and why.
 */
import * as path from 'node:path';
import { compare, shapeText, type Comparison, type Tensor } from './compare';
import { detectStyle, isProblem, piecesOf, STYLE_NAMES, type CheckDef, type Piece, type PieceInputs, type Problem, type Style, type TensorName, type Values } from './pieces';
import { CheckSetupError, runHarness, type Definitions, type HarnessRun } from './python';
import { number, ownForwardText } from './text';

export interface CheckResult {
  readonly name: string;
  readonly tensor: TensorName;
  readonly case: string | null;
  /** null: not checked (the piece is not defined, or has no such case). */
  readonly ok: boolean | null;
  readonly shape: number[] | null;
  readonly expectedShape: number[] | null;
  readonly maxAbsError: number | null;
  readonly maxRelError: number | null;
  readonly first: Comparison['first'];
  readonly mismatches: number | null;
  /** Which common mistake the numbers show: 'transposed', 'missing-1/N', ... */
  readonly mistake: string | null;
  readonly hint: string | null;
  /** The student's code raised, or returned something that is not an array of numbers. */
  readonly error: boolean;
  /** Why it was skipped, what went wrong, or a note on a pass. */
  readonly message: string | null;
  /** A backward pass against the numerical gradient of the student's own forward. */
  readonly ownForward: { readonly ok: boolean; readonly maxRelError: number | null } | null;
  /** The def of the method or function, for the Problems panel. */
  readonly location: { readonly file: string; readonly line: number } | null;
  /** What the panel draws and explains; not part of the command line's JSON. */
  readonly detail: { readonly expected: Tensor | null; readonly actual: Tensor | null; readonly inputs: PieceInputs };
}

export interface CheckReport {
  readonly file: string;
  readonly style: Style;
  /** "<executable> <python version>, numpy <version>" */
  readonly python: string;
  readonly checks: CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** What the student's code printed while it was checked. */
  readonly printed: { readonly bytes: number; readonly head: string };
}

export interface CheckOptions {
  readonly style?: Style;
  readonly python?: string;
  /** Default 20 s. */
  readonly timeLimitMs?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_TIME_LIMIT_MS = 20_000;

function label(piece: Piece): string {
  return [...new Set(piece.checks.map((c) => c.name))].join(' / ');
}

/** Runs `file`'s pieces in its own Python and compares each with the reference. */
export async function checkFile(file: string, options: CheckOptions = {}): Promise<CheckReport> {
  let style: Style | null = options.style ?? null;
  let pieces: Piece[] = [];
  const run = await runHarness(file, {
    python: options.python,
    timeLimitMs: options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
    signal: options.signal,
    choose: (names) => {
      const defined = new Set(Object.keys(names));
      style ??= detectStyle(defined);
      if (!style) throw nothingRecognised(file);
      pieces = piecesOf(style, defined);
      if (!pieces.some((p) => p.needs.every((n) => defined.has(n)))) throw nothingRecognised(file, style);
      return pieces.map((p) => ({ id: p.id, kind: p.kind, needs: p.needs, label: label(p), ...p.args }));
    },
  });
  const checks = pieces.flatMap((piece) => piece.checks.map((def) => result(def, piece, run, file)));
  const count = (ok: boolean | null): number => checks.filter((c) => c.ok === ok).length;
  return {
    file, style: style!,
    python: `${run.python.executable} ${run.python.version}, numpy ${run.python.numpy}`,
    checks, passed: count(true), failed: count(false), skipped: count(null),
    printed: run.printed,
  };
}

function nothingRecognised(file: string, style?: Style): CheckSetupError {
  if (style) {
    return new CheckSetupError('nothing', `${path.basename(file)} defines none of the ${style} pieces (${STYLE_NAMES[style].join(', ')}). Choose the other style, or leave the style to be detected.`, file);
  }
  return new CheckSetupError('nothing', `${path.basename(file)} defines none of the pieces Backprop Lens checks. It looks for the CSCI567 classes (${STYLE_NAMES.csci567.slice(0, 6).join(', ')}, miniBatchStochasticGradientDescent) or the CS231n functions (affine_forward, affine_backward, relu_forward, ..., softmax_loss). Open the file with your layers.`, file);
}

function location(def: CheckDef, names: Definitions): CheckResult['location'] {
  const symbol = names[def.symbol];
  const at = def.method ? symbol?.methods?.[def.method] : symbol;
  return at?.file && at.line ? { file: at.file, line: at.line } : null;
}

/** What to do about a value of this type where an array was expected. */
const TYPE_FIXES: Record<string, string> = {
  NoneType: 'is a return statement missing?',
  list: 'make it an array with np.array(...)',
  tuple: 'return the array alone, not a tuple',
};

function problemText(p: Problem, def: CheckDef): string {
  const where = p.file ? ` (${path.basename(p.file)}${p.line ? ` line ${p.line}` : ''})` : '';
  if (p.error === 'raised') {
    const why = p.type === 'MemoryError' ? 'it asked for more memory than the check allows (4 GB)' : p.message;
    return `${def.name} raised ${p.type}${why ? `: ${why}` : ''}${where}`;
  }
  if (p.error === 'signature') return `${p.type} is not a signature Backprop Lens knows: it calls (model, momentum, _lambda, _alpha, _learning_rate), (model, momentum, _alpha, _learning_rate) or (model, _learning_rate)`;
  const shown = p.repr && p.repr.length > 60 ? `${p.repr.slice(0, 60)}…` : p.repr;
  const fix = TYPE_FIXES[p.type];
  return `${def.name} gave a ${p.type}${shown ? ` (${shown})` : ''} for ${def.tensor} where a NumPy array of numbers was expected${fix ? `: ${fix}` : ''}`;
}

function result(def: CheckDef, piece: Piece, run: HarnessRun, file: string): CheckResult {
  const base = {
    name: def.name, tensor: def.tensor, case: def.case ?? null,
    location: location(def, run.names), ownForward: null,
    shape: null, expectedShape: null, maxAbsError: null, maxRelError: null, first: null, mismatches: null, mistake: null, hint: null,
  };
  const values: Values | undefined = run.results.get(piece.id);
  const noDetail = { expected: null, actual: null, inputs: piece.inputs };
  if (!values) {
    const missing = piece.needs.filter((n) => !(n in run.names));
    return { ...base, ok: null, error: false, message: `not defined in ${path.basename(file)} (no ${missing.join(', ')})`, detail: noDetail };
  }
  const actual = values[def.key];
  if (!actual || typeof actual !== 'object' || isProblem(actual)) {
    const problem: Problem = actual && typeof actual === 'object' ? actual : { error: 'type', type: 'nothing', repr: '' };
    return { ...base, ok: false, error: true, message: problemText(problem, def), detail: noDetail };
  }
  const expectation = def.expect(values);
  if ('skip' in expectation) return { ...base, ok: null, error: false, message: expectation.skip, detail: noDetail };
  if (isProblem(expectation)) {
    return { ...base, ok: false, error: true, message: `cannot check ${def.name}: ${problemText(expectation, def)}`, detail: noDetail };
  }
  const c = compare(actual, expectation.expected, expectation.candidates);
  const failure = c.ok ? expectation.failure : undefined;
  const own = def.own ? values[def.own] : undefined;
  const ownForward = own && typeof own === 'object' && !isProblem(own) ? compare(actual, own) : null;
  return {
    ...base,
    shape: c.shape, expectedShape: c.expectedShape, maxAbsError: c.maxAbsError, maxRelError: c.maxRelError, first: c.first, mismatches: c.mismatches,
    ok: c.ok && !failure,
    mistake: failure?.mistake ?? c.mistake,
    hint: failure?.hint ?? c.hint,
    error: false,
    message: [expectation.note, c.note].filter(Boolean).join('; ') || null,
    ownForward: ownForward ? { ok: ownForward.ok, maxRelError: ownForward.maxRelError } : null,
    detail: { expected: expectation.expected, actual, inputs: piece.inputs },
  };
}

/** 0 every check passed, 1 one failed, 2 some piece could not be checked at all. */
export function exitCode(report: CheckReport): 0 | 1 | 2 {
  if (report.checks.some((c) => c.error)) return 2;
  return report.failed > 0 ? 1 : 0;
}

/** The command line's JSON: the contract of `check --json`. */
export function reportJson(report: CheckReport): object {
  return {
    style: report.style,
    python: report.python,
    checks: report.checks.map((c) => ({
      name: c.name, tensor: c.tensor, case: c.case, ok: c.ok,
      shape: c.shape, expectedShape: c.expectedShape, maxAbsError: c.maxAbsError, maxRelError: c.maxRelError,
      first: c.first, mismatches: c.mismatches, hint: c.hint, mistake: c.mistake, message: c.message,
      ownForward: c.ownForward, location: c.location,
    })),
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped,
  };
}

/** The readable report: a line per check, then the details and hint of each failure. */
export function formatReport(report: CheckReport): string {
  const lines = [`Check My Backprop: ${report.file} (${report.style} style)`, `Python: ${report.python}`, ''];
  for (const c of report.checks) {
    const mark = c.ok === null ? '–' : c.ok ? '✓' : '✗';
    const what = `${c.name} ${c.tensor}${c.case ? ` (${c.case})` : ''}`;
    lines.push(`${mark} ${what}${c.ok === null ? `: skipped, ${c.message}` : ''}`);
  }
  const failures = report.checks.filter((c) => c.ok === false);
  for (const c of failures) {
    lines.push('', `✗ ${c.name} ${c.tensor}${c.case ? ` (${c.case})` : ''}${c.location ? `  ${path.basename(c.location.file)}:${c.location.line}` : ''}`);
    if (c.error) {
      lines.push(`  ${c.message}`);
      continue;
    }
    if (c.shape && c.expectedShape && c.shape.join() !== c.expectedShape.join()) lines.push(`  shape ${shapeText(c.shape)}, expected ${shapeText(c.expectedShape)}`);
    if (c.first) lines.push(`  first wrong entry [${c.first.index.join(', ')}]: ${number(c.first.actual)}, expected ${number(c.first.expected)}`);
    if (c.mismatches) lines.push(`  ${c.mismatches} of ${c.detail.expected?.data.length ?? '?'} entries differ; largest error ${number(c.maxAbsError ?? NaN)} (relative ${number(c.maxRelError ?? NaN)})`);
    if (c.hint) lines.push(`  hint: ${c.hint}`);
    const own = ownForwardText(c);
    if (own) lines.push(`  ${own}`);
    if (c.message) lines.push(`  note: ${c.message}`);
  }
  lines.push('', `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
  if (report.printed.bytes > 0) lines.push(`(your code printed ${report.printed.bytes} bytes while it was checked; it does not affect the results)`);
  return lines.join('\n');
}
