import type { Float, Precision } from '../tensor';
import type { InputLists, Kernels } from '../kernels';
import type { Random } from '../random';

export type LayerType = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'dropout';
export type ActivationType = 'relu' | 'tanh' | 'sigmoid';

/** How to build one layer; `in` of every layer but a network's first linear one is inferred. */
export type LayerSpec =
  | { type: 'linear'; in?: number; out: number }
  | { type: ActivationType }
  | { type: 'dropout'; rate: number };

/** A learnable tensor with the gradient of the loss with respect to it. */
export interface Parameter {
  readonly name: 'W' | 'b';
  readonly value: Float;
  readonly grad: Float;
  /** For a W stored input-major (see Linear): a byte per input, 0 where that input's row of grad is all zero. */
  readonly rows?: { readonly mayBeNonZero: Uint8Array; readonly inFeatures: number; readonly outFeatures: number };
}

/**
 * What a layer leaves behind after a forward and a backward pass. These are the
 * layer's own buffers, not copies: reading them costs nothing, and they change
 * with the next pass. Matrices are row-major with `rows` examples.
 */
export interface LayerRecord {
  readonly type: LayerType;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Examples in the last pass. */
  readonly rows: number;
  /** The input of the last forward pass (the previous layer's output). */
  readonly input: Float | null;
  readonly output: Float;
  /** dL/d(output) of the last backward pass (the next layer's gradInput). */
  readonly gradOutput: Float | null;
  /** dL/d(input); null for a first layer that was built without it. */
  readonly gradInput: Float | null;
}

export interface Layer extends LayerRecord {
  /** `lists`: the input's non-zero entries, where the batch came with them (Kernels.gatherRows); a first linear layer uses them. */
  forward(input: Float, rows: number, training: boolean, lists?: InputLists | null): Float;
  /** Uses the rows and input of the last forward pass. */
  backward(gradOutput: Float): Float | null;
  parameters(): Parameter[];
}

/** What every layer needs to allocate its buffers once, before training starts. */
export interface BuildContext {
  readonly precision: Precision;
  /** The largest number of examples a pass may carry. */
  readonly maxRows: number;
  readonly random: Random;
  readonly kernels: Kernels;
}
