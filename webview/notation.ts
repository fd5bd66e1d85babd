import type { LayerType } from '../engine/nn/layers/layer';
import { format } from './chart';

/** A vector's name in mlp-math.md's notation: a letter, and a superscript (k) where one letter names several. */
export interface Vector {
  readonly letter: string;
  readonly sup: string;
}

/** What a layer reads and writes, and for a linear layer the names of its W and b. */
export interface LayerNames {
  readonly input: Vector;
  readonly output: Vector;
  /** 1-based number of the linear layer, as in W_1, b_1; 0 for other layers. */
  readonly linear: number;
}

const X: Vector = { letter: 'x', sup: '' };

/**
 * The names of mlp-math.md: x -> u = W_1 x + b_1 -> h = relu(u) -> s = dropout(h)
 * -> a = W_2 s + b_2 for the homework network. A deeper network numbers its hidden
 * vectors u^(1), h^(1), u^(2), ...; the network's output is always a.
 */
export function layerNames(types: readonly LayerType[]): LayerNames[] {
  const last = types.length - 1;
  // Every linear layer whose output is not the network's gives a u: more than one needs superscripts.
  const hiddenLinears = types.filter((t, l) => t === 'linear' && l < last).length;
  let k = 0;
  let input = X;
  return types.map((type, l) => {
    if (type === 'linear') k++;
    const sup = hiddenLinears > 1 ? `^{(${k})}` : '';
    const letter = l === last ? 'a' : type === 'linear' ? 'u' : type === 'dropout' ? 's' : 'h';
    const output = { letter, sup: l === last ? '' : sup };
    const names = { input, output, linear: type === 'linear' ? k : 0 };
    input = output;
    return names;
  });
}

/** Component i (0-based) of a vector, 1-based as in the math: u_3, or u^{(1)}_3. */
export function component(v: Vector, i: number | string): string {
  return `${v.letter}${v.sup}_{${typeof i === 'number' ? i + 1 : i}}`;
}

export function vector(v: Vector): string {
  return `${v.letter}${v.sup}`;
}

/** dL/d(component), as a TeX fraction. */
export function partial(of: string): string {
  return `\\dfrac{\\partial L}{\\partial ${of}}`;
}

/** A number for TeX, as the charts print it: four decimals, or a power of ten where four decimals would hide it. */
export function texNumber(v: number): string {
  if (!Number.isFinite(v)) return `\\text{${v}}`;
  const [mantissa, exponent] = format(v).split('e');
  return exponent === undefined ? mantissa : `${mantissa}\\times 10^{${Number(exponent)}}`;
}

/** A number that a power, a product or a difference follows: negative ones in parentheses. */
export function factor(v: number): string {
  return v < 0 ? `(${texNumber(v)})` : texNumber(v);
}
