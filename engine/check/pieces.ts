/**
 * The pieces of the two homework shapes (shared/reference/homework-apis.md), each
 * with the exact inputs the harness feeds it, and for each tensor it returns the
 * engine's reference and the values that common mistakes would give instead.
 *
 * Inputs are small but never square (N = 4 examples, D = 6 inputs, M = 5 units,
 * C = 5 classes), so that a transposed matrix cannot pass, and every input is at
 * least 0.2 away from 0, where a derivative such as relu's is ambiguous.
 */
import { Random } from '../nn/random';
import type { ActivationType } from '../nn/layers/layer';
import { scaled, size, tensor, transpose, type Candidate, type Tensor } from './compare';
import * as reference from './reference';

export type Style = 'csci567' | 'cs231n';
export const STYLES: readonly Style[] = ['csci567', 'cs231n'];
export type TensorName = 'output' | 'loss' | 'dX' | 'dW' | 'db' | 'W' | 'b';

/** What the student's code gave back for one value, as the harness reports it. */
export type Returned = Tensor | Problem;

/** A value that could not be compared: an exception, or something that is not an array of numbers. */
export interface Problem {
  readonly error: 'raised' | 'type' | 'signature';
  readonly type: string;
  readonly message?: string;
  readonly repr?: string;
  readonly file?: string;
  readonly line?: number;
}

export function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && 'error' in x;
}

/** Everything the harness returned for one piece, by key. */
export type Values = Readonly<Record<string, Returned | string | null | undefined>>;

/** What one tensor should be: the reference, and what known mistakes look like. */
export interface Expectation {
  readonly expected: Tensor;
  readonly candidates: readonly Candidate[];
  /** Said with the result, pass or fail. */
  readonly note?: string;
  /** A failure that the values alone do not show (a dropout mask that keeps the wrong share). */
  readonly failure?: { readonly mistake: string; readonly hint: string };
}

/** Why a check was not made: the piece's inputs were not usable, or the variant has no such case. */
export interface NotChecked {
  readonly skip: string;
}

export interface CheckDef {
  /** The student's own name for the piece: linear_layer.backward, affine_backward, ... */
  readonly name: string;
  readonly tensor: TensorName;
  readonly case?: string;
  /** The key of the harness's values that holds the student's tensor. */
  readonly key: string;
  /** The key of the numerical gradient of the student's own forward, for backward checks. */
  readonly own?: string;
  /** Where the def is: a class and its method, or a function. */
  readonly symbol: string;
  readonly method?: string;
  expect(values: Values): Expectation | NotChecked | Problem;
}

/** What Explain this entry needs: the kind of piece and the inputs it was fed, in the student's shapes. */
export interface PieceInputs {
  readonly kind: 'linear' | ActivationType | 'dropout' | 'loss' | 'sgd';
  readonly style: Style;
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly numbers: Readonly<Record<string, number>>;
}

export interface Piece {
  readonly id: number;
  /** The harness's method, e.g. csci567.linear. */
  readonly kind: string;
  /** Names the student's module must define for the piece to run. */
  readonly needs: string[];
  /** What the harness is sent: the names to call and the inputs. */
  readonly args: Record<string, unknown>;
  readonly inputs: PieceInputs;
  readonly checks: CheckDef[];
}

/** The names each style's pieces have in the student's file: they decide the style. */
export const STYLE_NAMES: Record<Style, readonly string[]> = {
  csci567: ['linear_layer', 'relu', 'tanh', 'sigmoid', 'dropout', 'softmax_cross_entropy', 'miniBatchStochasticGradientDescent', 'miniBatchGradientDescent'],
  cs231n: ['affine_forward', 'affine_backward', 'relu_forward', 'relu_backward', 'sigmoid_forward', 'sigmoid_backward', 'tanh_forward', 'tanh_backward', 'dropout_forward', 'dropout_backward', 'softmax_loss'],
};

const N = 4, D = 6, M = 5, C = 5, DROPOUT_UNITS = 25;
const DROP_RATE = 0.3;
const KEEP_P = 0.7;
/** The kept share may differ from 1 - r by this much: four standard deviations for 100 units. */
const KEPT_TOLERANCE = 0.18;
const SGD = { learningRate: 0.1, lambda: 0.05 };
const MOMENTUM = 0.9;

/** Values in ±[0.2, 1.5], drawn by the engine's seeded generator. */
function values(random: Random, shape: number[]): Tensor {
  return tensor(shape, Array.from({ length: size(shape) }, () => (random.uniform() < 0.5 ? -1 : 1) * (0.2 + 1.3 * random.uniform())));
}

/** The names a style's hints use for the same things. */
interface Names {
  readonly X: string;
  readonly W: string;
  readonly G: string;
}
const NAMES: Record<Style, Names> = { csci567: { X: 'X', W: 'W', G: 'grad' }, cs231n: { X: 'x', W: 'w', G: 'dout' } };

/** The mistakes any gradient can show: a sign, a batch size, a transpose. */
function common(expected: Tensor, what: string): Candidate[] {
  const out: Candidate[] = [
    { mistake: 'sign', hint: `${what} has the wrong sign: every entry is the negative of the reference's`, values: scaled(expected, -1) },
    { mistake: 'missing-1/N', hint: `${what} is N = ${N} times the reference: the batch loss is a mean over the N examples, so a 1/N is missing`, values: scaled(expected, N) },
    { mistake: 'extra-1/N', hint: `${what} is the reference divided by N = ${N}: an extra 1/N (only the loss's gradient divides by the batch size)`, values: scaled(expected, 1 / N) },
  ];
  if (expected.shape.length === 2) {
    out.push({ mistake: 'transposed', hint: `${what} is transposed: it should have shape (${expected.shape.join(', ')}), not (${[...expected.shape].reverse().join(', ')})`, values: transpose(expected) });
  }
  return out;
}

/** Where a piece's def is: a method of the CSCI567 class, or the CS231n function of that name. */
function placeOf(style: Style, csciClass: string, name: string): Pick<CheckDef, 'symbol' | 'method'> {
  return style === 'csci567' ? { symbol: csciClass, method: name.split('.')[1] } : { symbol: name };
}

function tensorOf(values: Values, key: string): Tensor | Problem | null {
  const v = values[key];
  return v && typeof v === 'object' ? v : null;
}

// ---- linear / affine ----

function linearPiece(style: Style, id: number, random: Random): Piece {
  const n = NAMES[style];
  const X = values(random, style === 'cs231n' ? [N, 3, 2] : [N, D]);
  const W = values(random, [D, M]);
  const b = values(random, style === 'cs231n' ? [M] : [1, M]);
  const G = values(random, [N, M]);
  const flatX = tensor([N, D], X.data);
  const ref = reference.linear(flatX, W, b, G);
  const noBias = reference.linear(flatX, W, scaled(b, 0), G).output;
  const byRow = tensor(style === 'cs231n' ? [N] : [N, 1], Array.from({ length: N }, (_, i) => G.data.slice(i * M, (i + 1) * M).reduce((a, c) => a + c, 0)));
  const db = tensor(b.shape, ref.db.data);
  const dX = tensor(X.shape, ref.dX.data);
  const [forward, backward] = style === 'csci567' ? ['linear_layer.forward', 'linear_layer.backward'] : ['affine_forward', 'affine_backward'];
  const def = (name: string, tensorName: TensorName, key: string, own: string | undefined, e: Expectation): CheckDef => ({
    name, tensor: tensorName, key, own, ...placeOf(style, 'linear_layer', name), expect: () => e,
  });
  return {
    id, kind: `${style}.${style === 'csci567' ? 'linear' : 'affine'}`,
    needs: style === 'csci567' ? ['linear_layer'] : ['affine_forward', 'affine_backward'],
    args: style === 'csci567' ? { class: 'linear_layer', X, W, b, G } : { forward: 'affine_forward', backward: 'affine_backward', X, W, b, G },
    inputs: { kind: 'linear', style, tensors: { [n.X]: X, [n.W]: W, b, [n.G]: G }, numbers: {} },
    checks: [
      def(forward, 'output', 'output', undefined, {
        expected: ref.output,
        candidates: [{ mistake: 'no-bias', hint: `the bias was never added: the output is ${n.X} @ ${n.W}, and should be ${n.X} @ ${n.W} + b`, values: noBias }],
      }),
      def(backward, 'dX', 'dX', 'ownDX', {
        expected: dX,
        candidates: [
          ...(style === 'cs231n' ? [{ mistake: 'flat-dx', hint: `dx is left flat, (${N}, ${D}): it should have x's own shape (${X.shape.join(', ')}), so reshape it with dx.reshape(x.shape)`, values: ref.dX }] : []),
          ...common(dX, `d${n.X} (= ${n.G} @ ${n.W}.T)`),
        ],
      }),
      def(backward, 'dW', 'dW', 'ownDW', { expected: ref.dW, candidates: common(ref.dW, `d${n.W} (= ${n.X}.T @ ${n.G}, shaped like ${n.W})`) }),
      def(backward, 'db', 'db', 'ownDb', {
        expected: db,
        candidates: [
          { mistake: 'wrong-axis', hint: `db was summed over the wrong axis: it sums ${n.G} over the examples (axis 0), one entry per unit, not over the units of each example`, values: byRow },
          ...common(db, 'db'),
        ],
      }),
    ],
  };
}

// ---- relu, tanh, sigmoid ----

/** f'(x) written with the output h = f(x), as students usually write it. */
const DERIVATIVE_OF_OUTPUT: Record<Exclude<ActivationType, 'relu'>, { f: (x: number) => number; fromOutput: (h: number) => number; text: string }> = {
  tanh: { f: Math.tanh, fromOutput: (h) => 1 - h * h, text: '1 − h²' },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), fromOutput: (h) => h * (1 - h), text: 'h(1 − h)' },
};

function activationCandidates(type: ActivationType, X: Tensor, G: Tensor, n: Names): Candidate[] {
  const zip = (f: (x: number, g: number) => number): Tensor => tensor(X.shape, X.data.map((x, i) => f(x, G.data[i])));
  const ones = tensor(G.shape, G.data.map(() => 1));
  const out: Candidate[] = [{
    mistake: 'no-upstream', hint: `d${n.X} is f'(${n.X}) alone: the chain rule multiplies it by the upstream gradient ${n.G}`,
    values: tensor(X.shape, reference.activation(type, X, ones).dX.data),
  }];
  if (type === 'relu') return out;
  const d = DERIVATIVE_OF_OUTPUT[type];
  out.push(
    { mistake: 'derivative-of-output', hint: `the derivative ${d.text} is written for the output h = ${type}(${n.X}), but it was given the input ${n.X}: use ${d.text} with h = ${type}(${n.X})`, values: zip((x, g) => g * d.fromOutput(x)) },
    { mistake: 'derivative-of-input', hint: `${type}' was applied to the output h instead of the input ${n.X}: with h, the derivative is ${d.text}`, values: zip((x, g) => g * d.fromOutput(d.f(d.f(x)))) },
  );
  return out;
}

function activationPiece(style: Style, type: ActivationType, id: number, random: Random): Piece {
  const n = NAMES[style];
  const X = values(random, [N, D]);
  const G = values(random, [N, D]);
  const ref = reference.activation(type, X, G);
  const [forward, backward] = style === 'csci567' ? [`${type}.forward`, `${type}.backward`] : [`${type}_forward`, `${type}_backward`];
  const place = (name: string): Pick<CheckDef, 'symbol' | 'method'> => placeOf(style, type, name);
  return {
    id, kind: `${style}.activation`,
    needs: style === 'csci567' ? [type] : [forward, backward],
    args: style === 'csci567' ? { class: type, X, G } : { forward, backward, X, G },
    inputs: { kind: type, style, tensors: { [n.X]: X, [n.G]: G }, numbers: {} },
    checks: [
      { name: forward, tensor: 'output', key: 'output', ...place(forward), expect: () => ({ expected: ref.output, candidates: [] }) },
      { name: backward, tensor: 'dX', key: 'dX', own: 'ownDX', ...place(backward), expect: () => ({ expected: ref.dX, candidates: [...activationCandidates(type, X, G, n), ...common(ref.dX, `d${n.X}`)] }) },
    ],
  };
}

// ---- dropout ----

/** The units the student's forward kept: from their mask where they kept one, else where the output is not 0. */
function keptUnits(values: Values, X: Tensor): { kept: boolean[]; mask: Tensor | null } | Problem {
  const mask = tensorOf(values, 'mask');
  if (mask && !isProblem(mask) && mask.data.length === X.data.length) return { kept: mask.data.map((m) => m !== 0), mask };
  const out = tensorOf(values, 'output');
  if (!out || isProblem(out)) return out ?? { error: 'type', type: 'None', repr: 'no output' };
  if (out.data.length !== X.data.length) return { error: 'type', type: `an array of shape (${out.shape.join(', ')})`, repr: 'the output has another size than the input' };
  return { kept: out.data.map((o) => o !== 0), mask: null };
}

interface DropoutRule {
  /** The share of units meant to be kept, as the student's convention reads the parameter. */
  readonly keep: number;
  readonly scale: string;
  readonly note?: string;
}

/** How the student reads the rate: CSCI567's r is always the drop rate; CS231n's p has meant both. */
function dropoutRule(style: Style, keptShare: number): DropoutRule {
  if (style === 'csci567') return { keep: 1 - DROP_RATE, scale: `1/(1 − r) = ${(1 / (1 - DROP_RATE)).toFixed(4)}` };
  if (Math.abs(keptShare - KEEP_P) <= Math.abs(keptShare - (1 - KEEP_P))) return { keep: KEEP_P, scale: `1/p = ${(1 / KEEP_P).toFixed(4)}` };
  return { keep: 1 - KEEP_P, scale: `1/(1 − p) = ${(1 / (1 - KEEP_P)).toFixed(4)}`, note: "p is read as the drop probability, as in CS231n's 2017 version (since 2018 it is the keep probability)" };
}

function dropoutForward(style: Style, X: Tensor, values: Values): Expectation | Problem {
  const units = keptUnits(values, X);
  if (isProblem(units)) return units;
  const share = units.kept.filter(Boolean).length / units.kept.length;
  const rule = dropoutRule(style, share);
  const expected = reference.dropout(X, units.kept, rule.keep);
  const rate = style === 'csci567' ? 'r' : 'p';
  const wrongShare = Math.abs(share - rule.keep) > KEPT_TOLERANCE;
  return {
    expected,
    note: rule.note,
    candidates: [
      { mistake: 'missing-scale', hint: `the kept units are not scaled by ${rule.scale}: inverted dropout scales them so that the expected output equals the input`, values: reference.dropout(X, units.kept, 1) },
      { mistake: 'scale-inverted', hint: `the kept units are multiplied by ${rule.keep} instead of divided by it (${rule.scale})`, values: scaled(reference.dropout(X, units.kept, 1), rule.keep) },
      { mistake: 'mask-not-applied', hint: `the output is the input unchanged: while training, multiply it by the mask`, values: X },
    ],
    failure: wrongShare
      ? { mistake: 'kept-share', hint: `it keeps ${(100 * share).toFixed(0)}% of the units where ${(100 * rule.keep).toFixed(0)}% should be kept: is ${rate} used the other way round (keep rather than drop)?` }
      : undefined,
  };
}

function dropoutBackward(style: Style, X: Tensor, G: Tensor, values: Values): Expectation | Problem {
  const units = keptUnits(values, X);
  if (isProblem(units)) return units;
  const out = tensorOf(values, 'output');
  // The student's own mask where they kept one; else the mask their forward applied, out / x.
  const mask = units.mask ?? (out && !isProblem(out) ? tensor(X.shape, out.data.map((o, i) => o / X.data[i])) : null);
  if (!mask) return { error: 'type', type: 'None', repr: 'no mask and no output' };
  const expected = tensor(G.shape, G.data.map((g, i) => g * mask.data[i]));
  const rule = dropoutRule(style, units.kept.filter(Boolean).length / units.kept.length);
  const where = style === 'csci567' ? 'self.mask' : 'the cache';
  return {
    expected,
    note: units.mask ? `compared with ${G.shape.length ? NAMES[style].G : 'grad'} * the mask your forward kept in ${where}` : 'compared with the mask your forward applied (output / input)',
    candidates: [
      { mistake: 'missing-scale', hint: `the gradient is not scaled by ${rule.scale} as the forward pass's output was`, values: scaled(expected, rule.keep) },
      { mistake: 'mask-not-applied', hint: `the gradient passes unchanged: multiply it by the same mask as the forward pass`, values: G },
      ...common(expected, `d${NAMES[style].X}`).filter((c) => c.mistake === 'sign'),
    ],
  };
}

function dropoutPiece(style: Style, id: number, random: Random): Piece {
  const n = NAMES[style];
  const X = values(random, [N, DROPOUT_UNITS]);
  const G = values(random, [N, DROPOUT_UNITS]);
  const [forward, backward] = style === 'csci567' ? ['dropout.forward', 'dropout.backward'] : ['dropout_forward', 'dropout_backward'];
  const place = (name: string): Pick<CheckDef, 'symbol' | 'method'> => placeOf(style, 'dropout', name);
  return {
    id, kind: `${style}.dropout`,
    needs: style === 'csci567' ? ['dropout'] : [forward, backward],
    args: style === 'csci567' ? { class: 'dropout', rate: DROP_RATE, X, G } : { forward, backward, p: KEEP_P, X, G },
    inputs: { kind: 'dropout', style, tensors: { [n.X]: X, [n.G]: G }, numbers: style === 'csci567' ? { r: DROP_RATE } : { p: KEEP_P } },
    checks: [
      { name: forward, tensor: 'output', case: 'training', key: 'output', ...place(forward), expect: (v) => dropoutForward(style, X, v) },
      {
        name: forward, tensor: 'output', case: 'evaluation', key: 'evaluation', ...place(forward),
        expect: () => ({ expected: X, candidates: [{ mistake: 'scaled-at-evaluation', hint: 'the evaluation pass scales the input: with inverted dropout it is the identity', values: scaled(X, style === 'csci567' ? 1 - DROP_RATE : KEEP_P) }] }),
      },
      { name: backward, tensor: 'dX', key: 'dX', own: 'ownDX', ...place(backward), expect: (v) => dropoutBackward(style, X, G, v) },
    ],
  };
}

// ---- softmax cross-entropy ----

/** Softmax taken down each column (over the examples) instead of along each row. */
function columnSoftmaxLoss(X: Tensor, labels: number[]): { loss: Tensor; dX: Tensor } {
  const swapped = transpose(X);
  const z = swapped.data.map(Math.exp);
  const [cols, rows] = swapped.shape;
  for (let c = 0; c < cols; c++) {
    const s = z.slice(c * rows, (c + 1) * rows).reduce((a, b) => a + b, 0);
    for (let r = 0; r < rows; r++) z[c * rows + r] /= s;
  }
  const Z = transpose(tensor([cols, rows], z));
  const loss = -labels.reduce((a, y, i) => a + Math.log(Z.data[i * cols + y]), 0) / rows;
  const dX = Z.data.map((p, i) => (p - (labels[Math.floor(i / cols)] === i % cols ? 1 : 0)) / rows);
  return { loss: tensor([], [loss]), dX: tensor(X.shape, dX) };
}

function lossPiece(style: Style, id: number, random: Random): Piece {
  const n = NAMES[style];
  const X = values(random, [N, C]);
  const labels = Array.from({ length: N }, () => random.integer(C));
  const Y = style === 'csci567' ? tensor([N, 1], labels) : tensor([N], labels);
  const ref = reference.softmaxCrossEntropy(X, labels);
  const wrongAxis = columnSoftmaxLoss(X, labels);
  const axisHint = 'softmax was normalised over the wrong axis: each example (row) sums to 1 over its classes';
  const [forward, backward] = style === 'csci567' ? ['softmax_cross_entropy.forward', 'softmax_cross_entropy.backward'] : ['softmax_loss', 'softmax_loss'];
  const place = (name: string): Pick<CheckDef, 'symbol' | 'method'> => placeOf(style, 'softmax_cross_entropy', name);
  return {
    id, kind: `${style}.loss`,
    needs: style === 'csci567' ? ['softmax_cross_entropy'] : ['softmax_loss'],
    args: style === 'csci567' ? { class: 'softmax_cross_entropy', X, Y } : { function: 'softmax_loss', X, Y },
    inputs: { kind: 'loss', style, tensors: { [n.X]: X, [style === 'csci567' ? 'Y' : 'y']: Y }, numbers: {} },
    checks: [
      {
        name: forward, tensor: 'loss', key: 'loss', ...place(forward),
        expect: () => ({
          expected: ref.loss,
          candidates: [
            { mistake: 'missing-1/N', hint: `the loss is N = ${N} times the reference: it is summed over the batch, and should be the mean`, values: scaled(ref.loss, N) },
            { mistake: 'wrong-axis', hint: axisHint, values: wrongAxis.loss },
          ],
        }),
      },
      {
        name: backward, tensor: 'dX', key: 'dX', own: 'ownDX', ...place(backward),
        expect: () => ({
          expected: ref.dX,
          candidates: [
            { mistake: 'sign', hint: `d${n.X} has the wrong sign: it is (probabilities − one-hot) / N, not (one-hot − probabilities) / N`, values: scaled(ref.dX, -1) },
            { mistake: 'wrong-axis', hint: axisHint, values: wrongAxis.dX },
            ...common(ref.dX, `d${n.X}`).filter((c) => c.mistake !== 'sign'),
          ],
        }),
      },
    ],
  };
}

// ---- the optimizer (CSCI567 only: CS231n's is in optim.py) ----

const SGD_FUNCTIONS = ['miniBatchStochasticGradientDescent', 'miniBatchGradientDescent'];

/** The settings the student's variant of the function can take: some years drop lambda, or momentum. */
function variantSettings(variant: string | null, alpha: number): { alpha: number; lambda: number } | null {
  if (variant === 'lambda') return { alpha, lambda: SGD.lambda };
  if (variant === 'momentum') return { alpha, lambda: 0 };
  if (variant === 'plain') return alpha > 0 ? null : { alpha: 0, lambda: 0 };
  return { alpha, lambda: SGD.lambda };
}

function sgdPiece(fn: string, alpha: number, id: number, random: Random): Piece {
  const W = values(random, [D, M]), b = values(random, [1, M]);
  const dW = values(random, [D, M]), db = values(random, [1, M]);
  const zero = (t: Tensor): Tensor => scaled(t, 0);
  const vW = alpha > 0 ? values(random, [D, M]) : zero(W), vb = alpha > 0 ? values(random, [1, M]) : zero(b);
  const label = alpha > 0 ? `momentum ${alpha}` : 'no momentum';
  const check = (name: 'W' | 'b', w: Tensor, g: Tensor, v: Tensor): CheckDef => ({
    name: fn, tensor: name, case: label, key: name, symbol: fn,
    expect: (values) => {
      const s = variantSettings(typeof values.variant === 'string' ? values.variant : null, alpha);
      if (!s) return { skip: `${fn}(model, _learning_rate) has no momentum` };
      const step = (changes: Partial<reference.SgdSettings>): Tensor => reference.sgd(w, g, v, { learningRate: SGD.learningRate, ...s, decays: true, ...changes });
      const candidates: Candidate[] = [
        { mistake: 'sign', hint: `the update goes up the gradient: ${name} should move by −learning rate × gradient`, values: step({ learningRate: -SGD.learningRate }) },
      ];
      if (s.lambda > 0) {
        if (name === 'b') candidates.push({ mistake: 'l2-bias', hint: `L2 was left off the bias: the homework adds lambda * b to b's gradient too`, values: step({ decays: false }) });
        candidates.push({ mistake: 'l2-twice', hint: `L2 is applied twice: the gradient gets lambda * ${name} once (no 2, no 1/2)`, values: step({ lambda: 2 * s.lambda }) });
      }
      if (s.alpha > 0) candidates.push({ mistake: 'no-momentum', hint: `momentum is not used: m = alpha * m − learning rate * g, then ${name} += m`, values: step({ alpha: 0 }) });
      return { expected: step({}), candidates };
    },
  });
  return {
    id, kind: 'csci567.sgd', needs: [fn, 'linear_layer'],
    args: { function: fn, linear: 'linear_layer', relu: 'relu', W, b, dW, db, vW, vb, alpha, ...SGD },
    inputs: { kind: 'sgd', style: 'csci567', tensors: { W, b, dW, db, vW, vb }, numbers: { alpha, lambda: SGD.lambda, learningRate: SGD.learningRate } },
    checks: [check('W', W, dW, vW), check('b', b, db, vb)],
  };
}

/** Every piece of a style, with inputs from a fixed seed: the same file always gets the same numbers. */
export function piecesOf(style: Style, defined: ReadonlySet<string>, seed = 567): Piece[] {
  const random = new Random(seed);
  let id = 0;
  const pieces = [
    linearPiece(style, id++, random),
    ...(['relu', 'tanh', 'sigmoid'] as const).map((type) => activationPiece(style, type, id++, random)),
    dropoutPiece(style, id++, random),
    lossPiece(style, id++, random),
  ];
  if (style === 'csci567') {
    const fn = SGD_FUNCTIONS.find((f) => defined.has(f)) ?? SGD_FUNCTIONS[0];
    pieces.push(sgdPiece(fn, 0, id++, random), sgdPiece(fn, MOMENTUM, id++, random));
  }
  return pieces;
}

/** The style whose names the file defines the most of; null when it defines none. */
export function detectStyle(defined: ReadonlySet<string>): Style | null {
  const counts = STYLES.map((s) => STYLE_NAMES[s].filter((name) => defined.has(name)).length);
  if (Math.max(...counts) === 0) return null;
  return counts[0] >= counts[1] ? 'csci567' : 'cs231n';
}
