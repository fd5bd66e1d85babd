import type { Float } from './tensor';
import type { Layer } from './layers/layer';
import type { Network } from './network';

/**
 * Gradient checking: the analytic gradient of a scalar function against central
 * differences, entry by entry, in float64. The five-point stencil
 *   (f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / 12h
 * is exact to O(h^4), so h can be large enough that rounding in f stays far
 * below the small gradients of a deep sigmoid stack.
 */

export interface GradientCheck {
  /** Which tensor, e.g. "layer 0 W" or "input". */
  readonly name: string;
  readonly maxRelativeError: number;
}

/**
 * Entries smaller than this share of the tensor's largest gradient (a dead ReLU's
 * exact 0, say, where the difference quotient returns rounding noise) have their
 * error measured against that share rather than against themselves.
 */
const FLOOR_SHARE = 1e-4;

/**
 * The largest relative error |a - n| / max(|a|, |n|, floor) over the entries of
 * x, where n is the central difference of f at x. f reads x; each entry is moved
 * and restored in place.
 */
export function maxRelativeError(f: () => number, x: Float, analytic: ArrayLike<number>, h = 1e-4): number {
  if (!(x instanceof Float64Array)) throw new TypeError('gradient checks need float64 tensors');
  let worst = 0, largest = 0;
  for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(analytic[i]));
  const floor = Math.max(FLOOR_SHARE * largest, Number.MIN_VALUE);
  const at = (i: number, value: number): number => {
    x[i] = value;
    return f();
  };
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    const numeric = (at(i, saved - 2 * h) - 8 * at(i, saved - h) + 8 * at(i, saved + h) - at(i, saved + 2 * h)) / (12 * h);
    x[i] = saved;
    const error = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]), Math.abs(numeric), floor);
    worst = Math.max(worst, error);
  }
  return worst;
}

/**
 * Checks a network's loss gradients with respect to every parameter and to its
 * input X (the network must be built with `inputGradient`). Training-mode passes;
 * dropout layers must have a fixed mask, so that every pass computes one function.
 */
export function checkNetwork(net: Network, X: Float, Y: Float, rows: number): GradientCheck[] {
  const loss = (): number => {
    net.forward(X, rows, true);
    return net.computeLoss(Y, rows);
  };
  loss();
  net.backward();
  const checks: GradientCheck[] = [];
  const inputGrad = net.inputGradient;
  if (!inputGrad) throw new Error('build the network with inputGradient: true to check it');
  const analyticInput = Float64Array.from(inputGrad.subarray(0, rows * net.inFeatures));
  net.layers.forEach((layer, l) => {
    for (const p of layer.parameters()) {
      const analytic = Float64Array.from(p.grad);
      checks.push({ name: `layer ${l} ${p.name}`, maxRelativeError: maxRelativeError(loss, p.value, analytic) });
    }
  });
  checks.push({ name: 'input', maxRelativeError: maxRelativeError(loss, X.subarray(0, rows * net.inFeatures), analyticInput) });
  return checks;
}

/**
 * Checks one layer on its own through the scalar sum(output * R) for a fixed R,
 * whose gradient with respect to the output is R itself.
 */
export function checkLayer(layer: Layer, X: Float, R: Float, rows: number, training = true): GradientCheck[] {
  const n = rows * layer.outFeatures;
  const f = (): number => {
    const out = layer.forward(X, rows, training);
    let s = 0;
    for (let i = 0; i < n; i++) s += out[i] * R[i];
    return s;
  };
  f();
  const gradInput = layer.backward(R);
  const checks: GradientCheck[] = layer.parameters().map((p) => {
    const analytic = Float64Array.from(p.grad);
    return { name: p.name, maxRelativeError: maxRelativeError(f, p.value, analytic) };
  });
  if (gradInput) {
    const analytic = Float64Array.from(gradInput.subarray(0, rows * layer.inFeatures));
    checks.push({ name: 'input', maxRelativeError: maxRelativeError(f, X.subarray(0, rows * layer.inFeatures), analytic) });
  }
  return checks;
}
