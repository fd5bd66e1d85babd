/**
 * What the step-through view says about the sub-step a snapshot stands at: the
 * layer's formula in mlp-math.md's notation, and for one unit of the tracked
 * example the same formula with its real numbers, term by term. Pure functions
 * of the engine's records; the view only typesets them.
 */
import type { Matrix, MatrixName, Snapshot } from '../engine/protocol';
import { component, factor, layerNames, partial, texNumber, vector, type LayerNames, type Vector } from './notation';

/** A sum of at most this many terms is written out whole. */
const SHORT_SUM = 10;
/** Terms of a longer sum written out before "+ ⋯"; every term is in the vector below the formula. */
const TERMS_SHOWN = 6;

export interface ShownVector {
  readonly key: string;
  /** TeX, e.g. x or \frac{\partial L}{\partial u}. */
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly caption: string;
}

export interface Explanation {
  readonly title: string;
  /** The layer's formulas for whole vectors, in TeX. */
  readonly formulas: string[];
  /** The selected unit's formula, then its numbers, in TeX. */
  readonly unit: string[];
  readonly vectors: ShownVector[];
  readonly note: string;
  /** Layer-graph columns (-1 the input, L the softmax) and the units this step involves. */
  readonly involved: { readonly column: number; readonly units: number[] }[];
  /** The engine layer whose parameters the numbers use, and which of them. */
  readonly layer: number;
  readonly needs: MatrixName[];
}

/** Which unit a sub-step is about: the one picked in its column, else the largest in size. */
export type UnitChoice = (column: number, values: ArrayLike<number>) => number;

/** Everything an explanation reads for one layer. */
interface Context {
  readonly s: Snapshot;
  readonly l: number;
  readonly names: LayerNames;
  readonly matrices: ReadonlyMap<MatrixName, Matrix>;
  readonly choose: UnitChoice;
}

export function explain(s: Snapshot, matrices: ReadonlyMap<MatrixName, Matrix>, choose: UnitChoice): Explanation {
  const names = layerNames(s.layers.map((l) => l.type));
  const phase = s.phase;
  switch (phase.kind) {
    case 'forward': {
      const c = { s, l: phase.layer, names: names[phase.layer], matrices, choose };
      return s.layers[phase.layer].type === 'linear' ? linearForward(c) : elementwiseForward(c);
    }
    case 'loss':
      return loss(s, names[names.length - 1].output, choose);
    case 'backward': {
      const c = { s, l: phase.layer, names: names[phase.layer], matrices, choose };
      return s.layers[phase.layer].type === 'linear' ? linearBackward(c) : elementwiseBackward(c);
    }
    case 'ready':
      return s.step === 0 ? beforeFirstStep(s, names[0]) : update(s, names, matrices, choose);
  }
}

/** Index of the largest |value|: the unit that matters most when none is picked. */
export function largest(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]) > Math.abs(values[best])) best = i;
  return best;
}

/** Layer l's input for the tracked example: the network's input, or layer l - 1's output. */
function inputOf(s: Snapshot, l: number): Float32Array {
  return l === 0 ? s.tracked.input : s.tracked.outputs[l - 1];
}

/** dL/d(layer l's input) for the tracked example, where it was computed. */
function gradInputOf(s: Snapshot, l: number): Float32Array | null {
  return l === 0 ? s.tracked.inputGradient : s.tracked.gradOutputs[l - 1];
}

function layerTitle(s: Snapshot, l: number): string {
  const layer = s.layers[l];
  return `layer ${l} (${layer.type}${layer.type === 'linear' ? `, ${layer.inFeatures} → ${layer.outFeatures}` : ''})`;
}

/** Indices whose value is not zero, the first `count` of them (zeros add nothing to a sum). */
function nonZero(values: ArrayLike<number>, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length && out.length < count; i++) if (values[i] !== 0) out.push(i);
  return out;
}

function countZeros(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}

/**
 * Which terms of a sum over `values` to write out: all of a short sum, else the
 * first non-zero ones; `leftOut` when non-zero terms remain for "+ ⋯".
 */
function termsOf(values: ArrayLike<number>): { terms: number[]; leftOut: boolean; zeros: number } {
  const n = values.length, zeros = countZeros(values);
  const terms = n <= SHORT_SUM ? Array.from({ length: n }, (_, i) => i) : nonZero(values, TERMS_SHOWN);
  return { terms, leftOut: n - zeros > terms.length, zeros };
}

/** "a + b + ⋯" of the given terms, with "+ ⋯" where terms are left out; braces keep a term whole where a line breaks. */
function sum(terms: string[], leftOut: boolean): string {
  return (terms.length > 0 ? terms.map((t) => `{${t}}`).join(' + ') : '0') + (leftOut ? ' + \\cdots' : '');
}

function row(m: Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}

function column(m: Matrix, c: number): Float64Array {
  return Float64Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]);
}

function linearForward({ s, l, names, matrices, choose }: Context): Explanation {
  const k = names.linear, x = names.input, u = names.output;
  const X = inputOf(s, l), U = s.tracked.outputs[l];
  const j = choose(l, U), J = j + 1, n = X.length;
  const W = matrices.get('W'), b = matrices.get('b');
  const unit = [`${component(u, j)} = \\sum\\limits_{i=1}^{${n}} w_{${J},i}\\, ${component(x, 'i')} + b_{${J}}`];
  const vectors: ShownVector[] = [{ key: 'input', name: vector(x), values: X, caption: 'the input of this layer (tracked example)' }];
  const { terms, leftOut, zeros } = termsOf(X);
  unit.push(`= ${sum(terms.map((i) => `w_{${J},${i + 1}}\\, ${component(x, i)}`), leftOut)} + b_{${J}}`);
  if (W && b) {
    const w = row(W, j);
    unit.push(`= ${sum(terms.map((i) => `${factor(w[i])} \\cdot ${factor(X[i])}`), leftOut)} + ${factor(b.data[j])} = ${texNumber(U[j])}`);
    vectors.push({ key: 'terms', name: `w_{${J},i}\\, ${component(x, 'i')}`, values: Float64Array.from(w, (wi, i) => wi * X[i]), caption: `the ${n} terms of the sum` });
  }
  vectors.push({ key: 'output', name: vector(u), values: U, caption: 'the output of this layer' });
  return {
    title: `Forward: ${layerTitle(s, l)}`,
    formulas: [`${vector(u)} = W_{${k}}\\, ${vector(x)} + b_{${k}}`],
    unit,
    vectors,
    note: zeros > 0 && n > SHORT_SUM ? `${zeros} of the ${n} inputs are 0 and add nothing: the terms shown are the first that do.` : '',
    involved: [{ column: l, units: [j] }, { column: l - 1, units: terms }],
    layer: l,
    needs: ['W', 'b'],
  };
}

/** The activation or dropout of a layer, as a formula of its input component. */
function elementwise(s: Snapshot, l: number, u: string, j: number): { vector: string; unit: string; numbers: string } {
  const layer = s.layers[l], X = inputOf(s, l), value = X[j];
  switch (layer.type) {
    case 'relu':
      return { vector: 'relu', unit: `\\max(0, ${u})`, numbers: `\\max(0, ${texNumber(value)})` };
    case 'tanh':
      return { vector: 'tanh', unit: `\\tanh(${u})`, numbers: `\\tanh(${texNumber(value)})` };
    case 'sigmoid':
      return { vector: '\\sigma', unit: `\\sigma(${u}) = \\dfrac{1}{1 + e^{-${u}}}`, numbers: `\\dfrac{1}{1 + e^{-${factor(value)}}}` };
    default: {
      const r = layer.dropoutRate ?? 0, m = s.tracked.masks[l]?.[j] ?? 1;
      return { vector: 'dropout', unit: `\\dfrac{m_{${j + 1}}\\, ${u}}{1 - r}`, numbers: `\\dfrac{${m} \\cdot ${factor(value)}}{1 - ${texNumber(r)}}` };
    }
  }
}

function elementwiseForward({ s, l, names, choose }: Context): Explanation {
  const x = names.input, h = names.output, type = s.layers[l].type;
  const X = inputOf(s, l), H = s.tracked.outputs[l];
  const j = choose(l, H);
  const f = elementwise(s, l, component(x, j), j);
  const mask = s.tracked.masks[l];
  const formula = type === 'dropout'
    ? `${vector(h)} = \\dfrac{m \\odot ${vector(x)}}{1 - r},\\quad r = ${texNumber(s.layers[l].dropoutRate ?? 0)}`
    : `${vector(h)} = ${f.vector === 'relu' || f.vector === 'tanh' ? `\\operatorname{${f.vector}}` : f.vector}(${vector(x)})`;
  return {
    title: `Forward: ${layerTitle(s, l)}`,
    formulas: [formula],
    unit: [`${component(h, j)} = ${f.unit}`, `= ${f.numbers} = ${texNumber(H[j])}`],
    vectors: [
      { key: 'input', name: vector(x), values: X, caption: 'the input of this layer' },
      ...(mask ? [{ key: 'mask', name: 'm', values: mask, caption: 'the dropout mask of this step: 1 kept, 0 dropped' }] : []),
      { key: 'output', name: vector(h), values: H, caption: 'the output of this layer' },
    ],
    note: type === 'dropout' ? 'The mask is drawn once per step: stepping back and forth keeps it.' : '',
    involved: [{ column: l, units: [j] }, { column: l - 1, units: [j] }],
    layer: l,
    needs: [],
  };
}

function loss(s: Snapshot, a: Vector, choose: UnitChoice): Explanation {
  const L = s.layers.length, A = s.tracked.outputs[L - 1], Y = s.tracked.target, N = s.tracked.rows;
  const G = s.tracked.gradOutputs[L - 1];
  const Z = s.tracked.probabilities;
  const softmax = s.lossFunction === 'softmax-cross-entropy' && Z !== null;
  const k = choose(softmax ? L : L - 1, softmax ? Z : A), K = k + 1;
  const out = softmax ? Z : A;
  const grad = G ? [`= \\dfrac{${texNumber(out[k])} - ${factor(Y[k])}}{${N}} = ${texNumber(G[k])}`] : [];
  const vectors: ShownVector[] = [{ key: 'output', name: vector(a), values: A, caption: 'the network\'s output (tracked example)' }];
  if (softmax) vectors.push({ key: 'probabilities', name: 'z', values: Z, caption: 'softmax probabilities: z_{k} is the probability of class k − 1' });
  vectors.push({ key: 'target', name: 'y', values: Y, caption: 'the target' });
  if (G) vectors.push({ key: 'gradient', name: partial(vector(a)), values: G, caption: 'the gradient that the backward pass starts from' });
  const batch = `L = \\dfrac{1}{N} \\sum\\limits_{n=1}^{N} \\ell^{(n)} = ${texNumber(s.tracked.dataLoss)},\\quad N = ${N}`;
  if (softmax) {
    const y = s.tracked.label, exps = Array.from(A, Math.exp), total = exps.reduce((p, q) => p + q, 0);
    return {
      title: 'Loss: softmax and cross-entropy',
      formulas: [`z = \\operatorname{softmax}(${vector(a)}),\\quad \\ell = -\\log z_{y}`, batch, `${partial(vector(a))} = \\dfrac{z - y}{N}`],
      unit: [
        `z_{${K}} = \\dfrac{e^{${component(a, k)}}}{\\sum\\limits_{j} e^{${component(a, 'j')}}} = \\dfrac{e^{${texNumber(A[k])}}}{${texNumber(total)}} = ${texNumber(Z[k])}`,
        ...(y >= 0 ? [`\\ell = -\\log z_{${y + 1}} = -\\log ${texNumber(Z[y])} = ${texNumber(-Math.log(Z[y]))}`] : []),
        `${partial(component(a, k))} = \\dfrac{z_{${K}} - y_{${K}}}{N}`,
        ...grad,
      ],
      vectors,
      note: `The tracked example${s.tracked.chosen ? ` (${s.tracked.chosen}, on its own: N = 1) is taken to be` : ' is'} of class ${y}, so y is 1 at y_{${y + 1}}; z_{k} is the probability of class k − 1.`,
      involved: [{ column: L, units: [k] }, { column: L - 1, units: [k] }],
      layer: L - 1,
      needs: [],
    };
  }
  let E = 0;
  for (let j = 0; j < A.length; j++) E += 0.5 * (A[j] - Y[j]) ** 2;
  return {
    title: 'Loss: squared error',
    formulas: [`\\ell = \\tfrac{1}{2} \\sum\\limits_{j} (${component(a, 'j')} - y_{j})^2`, batch, `${partial(vector(a))} = \\dfrac{${vector(a)} - y}{N}`],
    unit: [`\\ell = ${texNumber(E)}`, `${partial(component(a, k))} = \\dfrac{${component(a, k)} - y_{${K}}}{N}`, ...grad],
    vectors,
    note: '',
    involved: [{ column: L - 1, units: [k] }],
    layer: L - 1,
    needs: [],
  };
}

function elementwiseBackward({ s, l, names, choose }: Context): Explanation {
  const x = names.input, h = names.output, type = s.layers[l].type;
  const X = inputOf(s, l), H = s.tracked.outputs[l], G = s.tracked.gradOutputs[l]!, GX = gradInputOf(s, l)!;
  const j = choose(l, G);
  const dh = partial(component(h, j)), du = partial(component(x, j)), g = factor(G[j]);
  const local = ((): { vector: string; unit: string; numbers: string } => {
    switch (type) {
      case 'relu': return { vector: `\\mathbb{1}[${vector(x)} > 0]`, unit: `\\mathbb{1}[${component(x, j)} > 0]`, numbers: `${X[j] > 0 ? 1 : 0}` };
      case 'tanh': return { vector: `(1 - ${vector(h)}^2)`, unit: `(1 - ${component(h, j)}^2)`, numbers: `(1 - ${factor(H[j])}^2)` };
      case 'sigmoid': return { vector: `${vector(h)} \\odot (1 - ${vector(h)})`, unit: `${component(h, j)}\\,(1 - ${component(h, j)})`, numbers: `${factor(H[j])} \\cdot (1 - ${factor(H[j])})` };
      default: {
        const r = texNumber(s.layers[l].dropoutRate ?? 0), m = s.tracked.masks[l]?.[j] ?? 1;
        return { vector: `\\dfrac{m}{1 - r}`, unit: `\\dfrac{m_{${j + 1}}}{1 - r}`, numbers: `\\dfrac{${m}}{1 - ${r}}` };
      }
    }
  })();
  return {
    title: `Backward: ${layerTitle(s, l)}`,
    formulas: [`${partial(vector(x))} = ${partial(vector(h))} \\odot ${local.vector}`],
    unit: [`${du} = ${dh}\\, ${local.unit}`, `= ${g} \\cdot ${local.numbers} = ${texNumber(GX[j])}`],
    vectors: [
      { key: 'gradOutput', name: partial(vector(h)), values: G, caption: 'the gradient this layer receives' },
      { key: 'gradInput', name: partial(vector(x)), values: GX, caption: 'the gradient it passes down' },
    ],
    note: type === 'dropout' ? 'The same mask m as the forward pass of this step.' : '',
    involved: [{ column: l, units: [j] }, { column: l - 1, units: [j] }],
    layer: l,
    needs: [],
  };
}

function linearBackward({ s, l, names, matrices, choose }: Context): Explanation {
  const k = names.linear, x = names.input, u = names.output;
  const X = inputOf(s, l), G = s.tracked.gradOutputs[l]!, GX = gradInputOf(s, l);
  const j = choose(l, G), J = j + 1, N = s.tracked.rows;
  const W = matrices.get('W'), dW = matrices.get('dW'), db = matrices.get('db');
  const overRows = N > 1 ? '\\sum\\limits_{n=1}^{N}' : '';
  const l2 = s.penalty > 0 ? ` + \\lambda W_{${k}}` : '';
  const formulas = [
    `${partial(`W_{${k}}`)} = ${overRows} ${partial(vector(u))}\\, ${vector(x)}^{\\top}${l2}`,
    `${partial(`b_{${k}}`)} = ${overRows} ${partial(vector(u))}`,
    GX ? `${partial(vector(x))} = W_{${k}}^{\\top}\\, ${partial(vector(u))}` : '',
  ].filter((f) => f);
  const terms = nonZero(X, Math.min(3, X.length));
  const unit = [
    `${partial(`b_{${J}}`)} = ${partial(component(u, j))} = ${texNumber(G[j])}`,
    ...terms.map((i) => `${partial(`w_{${J},${i + 1}}`)} = ${partial(component(u, j))}\\, ${component(x, i)} = ${factor(G[j])} \\cdot ${factor(X[i])} = ${texNumber(G[j] * X[i])}`),
  ];
  const vectors: ShownVector[] = [
    { key: 'gradOutput', name: partial(vector(u)), values: G, caption: 'the gradient this layer receives (tracked example)' },
    { key: 'input', name: vector(x), values: X, caption: 'the layer\'s input in the forward pass' },
  ];
  if (dW) vectors.push({ key: 'dW', name: partial(`w_{${J},i}`), values: row(dW, j), caption: `row ${J} of dW over the whole batch${s.penalty > 0 ? ', λW included' : ''}: what the update uses` });
  const involved = [{ column: l, units: [j] }];
  if (GX && W) {
    const i = largest(GX), w = column(W, i);
    const { terms: shown, leftOut } = termsOf(G);
    unit.push(
      `${partial(component(x, i))} = \\sum\\limits_{j} w_{j,${i + 1}}\\, ${partial(component(u, 'j'))}`,
      `= ${sum(shown.map((t) => `${factor(w[t])} \\cdot ${factor(G[t])}`), leftOut)} = ${texNumber(GX[i])}`,
    );
    vectors.push({ key: 'gradInput', name: partial(vector(x)), values: GX, caption: 'the gradient it passes down' });
    involved.push({ column: l - 1, units: [i] });
  }
  const batchNote = N > 1 && db ? `These are the tracked example's shares; over the batch of ${N}, ∂L/∂b_${J} = ${texNumber(db.data[j])}.` : '';
  return {
    title: `Backward: ${layerTitle(s, l)}`,
    formulas,
    unit,
    vectors,
    note: [batchNote, GX || l > 0 ? '' : 'The first layer does not pass a gradient down while training: nothing below it learns.'].filter((t) => t).join(' '),
    involved,
    layer: l,
    needs: ['W', 'dW', 'db'],
  };
}

function beforeFirstStep(s: Snapshot, first: LayerNames): Explanation {
  return {
    title: `Ready: Step Forward computes ${layerTitle(s, 0)}`,
    formulas: first.linear ? [`${vector(first.output)} = W_{1}\\, ${vector(first.input)} + b_{1}`] : [],
    unit: [],
    vectors: [{ key: 'input', name: vector(first.input), values: s.tracked.input, caption: 'the tracked example\'s input' }],
    note: 'Step Forward goes one layer at a time; after the loss, Step Backward goes back one layer at a time; Apply Update ends the step.',
    involved: [],
    layer: 0,
    needs: [],
  };
}

function update(s: Snapshot, names: LayerNames[], matrices: ReadonlyMap<MatrixName, Matrix>, choose: UnitChoice): Explanation {
  // The last linear layer: its row of W is the one a step changes most visibly.
  const linears = names.map((n, l) => (n.linear ? l : -1)).filter((l) => l >= 0);
  const l = linears[linears.length - 1];
  const k = names[l].linear, W = matrices.get('W'), dW = matrices.get('dW');
  const j = choose(l, s.tracked.outputs[l]), J = j + 1;
  const vectors: ShownVector[] = [];
  if (W) vectors.push({ key: 'W', name: `w_{${J},i}`, values: row(W, j), caption: `row ${J} of W_${k} after the update` });
  if (dW) vectors.push({ key: 'dW', name: partial(`w_{${J},i}`), values: row(dW, j), caption: 'the gradient the update used' });
  return {
    title: `Update applied: step ${s.step} done`,
    formulas: [
      `\\alpha = 0:\\quad W_{${k}} \\leftarrow W_{${k}} - \\eta\\, ${partial(`W_{${k}}`)}`,
      `\\alpha > 0:\\quad v \\leftarrow \\alpha v - \\eta\\, ${partial(`W_{${k}}`)},\\quad W_{${k}} \\leftarrow W_{${k}} + v`,
    ],
    unit: [],
    vectors,
    note: 'Every W and b moves the same way. Step Forward begins the next step.',
    involved: [{ column: l, units: [j] }],
    layer: l,
    needs: ['W', 'dW'],
  };
}
