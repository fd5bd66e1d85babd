/**
 * Explain this entry: the formula that should have produced one entry of a
 * checked tensor, and the same formula with the numbers the checker fed the
 * student's code. Names and shapes are the student's (X, W as in x out, grad, or
 * CS231n's x, w, dout), and indices start at 0 as in their Python.
 */
import type { CheckResult } from '../engine/check/report';
import type { Tensor } from '../engine/check/compare';
import { factor, texNumber } from './notation';

export interface EntryExplanation {
  /** The formula for the entry, in TeX. */
  readonly formula: string;
  /** The same with numbers, ending in the value it should have. */
  readonly numbers: string;
}

/** The entry of `t` at a multi-index, reading tensors of any rank as rows of their first axis. */
function at(t: Tensor, ...index: number[]): number {
  let flat = 0;
  for (let k = 0; k < index.length; k++) flat = flat * (t.shape[k] ?? 1) + index[k];
  return t.data[flat];
}

/** Columns of a tensor read as a matrix: everything after the first axis. */
function width(t: Tensor): number {
  return t.data.length / (t.shape[0] || 1);
}

function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((flat, i, k) => flat * shape[k] + i, 0);
}

/** A name with its indices; names longer than a letter (grad, dout) are words, not products of letters. */
const sub = (name: string, ...i: (number | string)[]): string => `${name.length > 1 ? `\\mathit{${name}}` : name}_{${i.join(',')}}`;
const sum = (terms: string[]): string => terms.join(' + ');

/** The explanation of entry `index` (in the expected tensor's shape) of check `c`. */
export function explainEntry(c: CheckResult, index: readonly number[]): EntryExplanation | null {
  const { inputs, expected } = c.detail;
  if (!expected) return null;
  const t = inputs.tensors;
  const value = expected.data[ravel(index, expected.shape)];
  const [X, W, G] = inputs.style === 'csci567' ? ['X', 'W', 'grad'] : ['x', 'w', 'dout'];
  const result = (formula: string, numbers: string): EntryExplanation => ({ formula, numbers: `${numbers} = ${texNumber(value)}` });
  const [i, j] = index;
  switch (inputs.kind) {
    case 'linear': {
      const x = t[X], w = t[W], b = t.b, g = t[G];
      if (c.tensor === 'output') {
        const terms = Array.from({ length: w.shape[0] }, (_, d) => `${factor(x.data[i * width(x) + d])} \\cdot ${factor(at(w, d, j))}`);
        return result(`\\text{out}_{${i},${j}} = \\sum_d ${sub(X, i, 'd')} ${sub(W, 'd', j)} + b_{${j}}`, `${sum(terms)} + ${factor(b.data[j])}`);
      }
      if (c.tensor === 'dX') {
        const d = ravel(index.slice(1), x.shape.slice(1));
        const terms = Array.from({ length: w.shape[1] }, (_, m) => `${factor(at(g, i, m))} \\cdot ${factor(at(w, d, m))}`);
        return result(`\\dfrac{\\partial L}{\\partial ${sub(X, ...index)}} = \\sum_j ${sub(G, i, 'j')} ${sub(W, d, 'j')}`, sum(terms));
      }
      if (c.tensor === 'dW') {
        const terms = Array.from({ length: g.shape[0] }, (_, n) => `${factor(x.data[n * width(x) + i])} \\cdot ${factor(at(g, n, j))}`);
        return result(`\\dfrac{\\partial L}{\\partial ${sub(W, i, j)}} = \\sum_n ${sub(X, 'n', i)} ${sub(G, 'n', j)}`, sum(terms));
      }
      const unit = index[index.length - 1];
      const terms = Array.from({ length: g.shape[0] }, (_, n) => factor(at(g, n, unit)));
      return result(`\\dfrac{\\partial L}{\\partial b_{${unit}}} = \\sum_n ${sub(G, 'n', unit)}`, sum(terms));
    }
    case 'relu': case 'tanh': case 'sigmoid': {
      const x = at(t[X], i, j), g = at(t[G], i, j);
      const xi = sub(X, i, j);
      if (c.tensor === 'output') {
        const f = inputs.kind === 'relu' ? `\\max(0, ${xi})` : inputs.kind === 'tanh' ? `\\tanh(${xi})` : `\\dfrac{1}{1 + e^{-${xi}}}`;
        const n = inputs.kind === 'relu' ? `\\max(0, ${texNumber(x)})` : inputs.kind === 'tanh' ? `\\tanh(${texNumber(x)})` : `\\dfrac{1}{1 + e^{-${factor(x)}}}`;
        return result(`\\text{out}_{${i},${j}} = ${f}`, n);
      }
      const partial = `\\dfrac{\\partial L}{\\partial ${xi}} = ${sub(G, i, j)}`;
      if (inputs.kind === 'relu') return result(`${partial} \\cdot \\mathbb{1}[${xi} > 0]`, `${factor(g)} \\cdot ${x > 0 ? 1 : 0}`);
      if (inputs.kind === 'tanh') {
        const h = Math.tanh(x);
        return result(`${partial} \\cdot (1 - \\tanh^2 ${xi})`, `${factor(g)} \\cdot (1 - ${factor(h)}^2)`);
      }
      const s = 1 / (1 + Math.exp(-x));
      return result(`${partial} \\cdot \\sigma(${xi})(1 - \\sigma(${xi}))`, `${factor(g)} \\cdot ${factor(s)} \\cdot (1 - ${factor(s)})`);
    }
    case 'dropout': {
      const x = at(t[X], i, j), g = at(t[G], i, j);
      const xi = sub(X, i, j);
      if (c.case === 'evaluation') return result(`\\text{out}_{${i},${j}} = ${xi} \\text{ (no dropout when not training)}`, texNumber(x));
      if (c.tensor === 'output') {
        const keep = inputs.style === 'csci567' ? `1 - r` : 'p';
        const kept = value === 0 ? 0 : 1;
        return result(`\\text{out}_{${i},${j}} = ${xi} \\cdot \\dfrac{m_{${i},${j}}}{${keep}}`, `${factor(x)} \\cdot \\dfrac{${kept}}{${texNumber(kept ? x / value : 1)}}`);
      }
      return result(`\\dfrac{\\partial L}{\\partial ${xi}} = ${sub(G, i, j)} \\cdot \\text{mask}_{${i},${j}}`, `${factor(g)} \\cdot ${factor(value / g)}`);
    }
    case 'loss': {
      const x = t[X], y = t[inputs.style === 'csci567' ? 'Y' : 'y'];
      const N = x.shape[0], C = x.shape[1];
      const z = (n: number, k: number): number => {
        const row = x.data.slice(n * C, (n + 1) * C);
        const max = Math.max(...row);
        return Math.exp(row[k] - max) / row.reduce((s, v) => s + Math.exp(v - max), 0);
      };
      if (c.tensor === 'loss') {
        const terms = Array.from({ length: N }, (_, n) => `\\log ${texNumber(z(n, y.data[n]))}`);
        return result(`\\ell = -\\dfrac{1}{N} \\sum_n \\log z_{n, y_n}, \\quad z = \\operatorname{softmax}(${X})`, `-\\dfrac{1}{${N}} (${sum(terms)})`);
      }
      const onehot = y.data[i] === j ? 1 : 0;
      return result(`\\dfrac{\\partial \\ell}{\\partial ${sub(X, i, j)}} = \\dfrac{z_{${i},${j}} - \\mathbb{1}[y_{${i}} = ${j}]}{N}`, `\\dfrac{${texNumber(z(i, j))} - ${onehot}}{${N}}`);
    }
    case 'sgd': {
      const { alpha, learningRate: eta } = inputs.numbers;
      const name = c.tensor === 'W' ? 'W' : 'b';
      const w = at(t[name], i, j), g = at(t[`d${name}`], i, j), v = at(t[`v${name}`], i, j);
      // The variant without _lambda is checked with lambda = 0: take the one the reference used.
      const lambdas = [inputs.numbers.lambda, 0];
      const step = (l: number): number => (alpha > 0 ? w + alpha * v - eta * (g + l * w) : w - eta * (g + l * w));
      const lambda = lambdas.find((l) => Math.abs(step(l) - value) < 1e-9) ?? lambdas[0];
      const grad = `(${factor(g)} + ${texNumber(lambda)} \\cdot ${factor(w)})`;
      if (alpha > 0) {
        return result(`v \\leftarrow \\alpha v - \\eta (d${name} + \\lambda ${name}), \\quad ${name} \\leftarrow ${name} + v`, `${factor(w)} + ${texNumber(alpha)} \\cdot ${factor(v)} - ${texNumber(eta)} \\cdot ${grad}`);
      }
      return result(`${name} \\leftarrow ${name} - \\eta (d${name} + \\lambda ${name})`, `${factor(w)} - ${texNumber(eta)} \\cdot ${grad}`);
    }
  }
}
