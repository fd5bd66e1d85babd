import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ExportedLayer, TrainingConfig } from '../engine';

/** A float32 value in the fewest digits that read back as the same float32 (9 always do). */
function float32(v: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(v.toPrecision(digits));
    if (Math.fround(shorter) === v) return shorter;
  }
  return Number(v.toPrecision(9));
}

function rows(W: Float32Array, out: number, inputs: number): number[][] {
  const result: number[][] = [];
  for (let o = 0; o < out; o++) result.push(Array.from(W.subarray(o * inputs, (o + 1) * inputs), float32));
  return result;
}

/**
 * A trained network as a network spec file (*.mlp.json): its layers with their
 * weights, the loss, the optimizer and the seed, so that it can be opened again.
 */
export function weightsAsSpec(layers: ExportedLayer[], config: TrainingConfig): string {
  const spec = {
    layers: layers.map((layer) =>
      layer.type === 'linear'
        ? { type: 'linear', in: layer.in, out: layer.out, W: rows(layer.W, layer.out, layer.in), b: Array.from(layer.b, float32) }
        : layer,
    ),
    loss: 'softmax-cross-entropy',
    optimizer: { learningRate: config.learningRate, momentum: config.momentum, l2: config.lambda },
    seed: config.seed,
    data: { dataset: 'mnist' },
  };
  return JSON.stringify(spec);
}

/**
 * Writes a file whole or not at all: the text goes to a temporary file beside
 * it, which is then renamed over the target, so that a failure half-way (a full
 * disk, a folder that cannot be written) never leaves a half-written file or
 * spoils an earlier one. The error names the file, the problem and the fix.
 */
export async function writeFileWhole(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, file);
  } catch (e) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`could not write ${file} (${code}): choose a folder you can write to, with space left; nothing was written`);
  }
}
