/**
 * The engine's own float64 answers for the pieces of a homework, in the shapes of
 * the student's code: the homework stores W as in x out, the engine (mlp-math.md)
 * as out x in, so W and dW are transposed at this boundary and nowhere else.
 */
import { Random } from '../nn/random';
import { typescriptKernels } from '../nn/kernels';
import type { ActivationType, BuildContext } from '../nn/layers/layer';
import { Linear } from '../nn/layers/linear';
import { ReLU } from '../nn/layers/relu';
import { Tanh } from '../nn/layers/tanh';
import { Sigmoid } from '../nn/layers/sigmoid';
import { Dropout } from '../nn/layers/dropout';
import { SoftmaxCrossEntropy } from '../nn/losses';
import { transpose, tensor, type Tensor } from './compare';

function context(rows: number): BuildContext {
  return { precision: 'float64', maxRows: rows, random: new Random(0), kernels: typescriptKernels };
}

const f64 = (t: Tensor): Float64Array => Float64Array.from(t.data);

export interface LinearReference {
  readonly output: Tensor;
  readonly dX: Tensor;
  readonly dW: Tensor;
  readonly db: Tensor;
}

/** out = X W + b, and its gradients for the upstream G; X is N x D, W is D x M (the student's layout). */
export function linear(X: Tensor, W: Tensor, b: Tensor, G: Tensor): LinearReference {
  const [D, M] = W.shape, N = G.shape[0];
  const layer = new Linear(D, M, context(N));
  layer.W.set(transpose(W).data);
  layer.b.set(b.data);
  const output = tensor([N, M], layer.forward(f64(X), N).subarray(0, N * M));
  const dX = tensor([N, D], layer.backward(f64(G))!.subarray(0, N * D));
  return { output, dX, dW: transpose(tensor([M, D], layer.dW)), db: tensor([M], layer.db) };
}

const ACTIVATIONS = { relu: ReLU, tanh: Tanh, sigmoid: Sigmoid };

/** h = f(x) unit by unit, and dL/dx = G * f'(x). */
export function activation(type: ActivationType, X: Tensor, G: Tensor): { output: Tensor; dX: Tensor } {
  const [N, D] = X.shape;
  const layer = new ACTIVATIONS[type](D, context(N));
  const output = tensor(X.shape, layer.forward(f64(X), N).subarray(0, N * D));
  return { output, dX: tensor(X.shape, layer.backward(f64(G)).subarray(0, N * D)) };
}

/** Inverted dropout with the kept units given: X * kept / keep. */
export function dropout(X: Tensor, kept: readonly boolean[], keep: number): Tensor {
  const [N, D] = X.shape;
  const layer = new Dropout(D, 1 - keep, context(N));
  layer.fixMask(kept.map(Number));
  return tensor(X.shape, layer.forward(f64(X), N, true).subarray(0, N * D));
}

/** The mean over the batch of -log softmax(x)_y, and its gradient (z - onehot(y)) / N. */
export function softmaxCrossEntropy(X: Tensor, labels: readonly number[]): { loss: Tensor; dX: Tensor } {
  const [N, C] = X.shape;
  const Y = new Float64Array(N * C);
  labels.forEach((y, n) => (Y[n * C + y] = 1));
  const loss = new SoftmaxCrossEntropy(C, 'float64', N);
  const value = loss.forward(f64(X), Y, N);
  return { loss: tensor([], [value]), dX: tensor(X.shape, loss.backward()) };
}

export interface SgdSettings {
  readonly learningRate: number;
  readonly alpha: number;
  readonly lambda: number;
  /** Whether lambda applies to this parameter (the homework applies it to b as well). */
  readonly decays: boolean;
}

/** One step of the engine's optimizer on a parameter w with gradient g and velocity v. */
export function sgd(w: Tensor, g: Tensor, v: Tensor, s: SgdSettings): Tensor {
  const value = f64(w);
  typescriptKernels.sgdStep(value, f64(g), s.alpha > 0 ? f64(v) : null, s.learningRate, s.alpha, s.lambda, s.decays);
  return tensor(w.shape, value);
}
