import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type TrainingConfig } from '../config';
import { Linear } from '../layers/linear';
import { loadEmbeddedSplits } from '../mnist';
import type { Network } from '../network';
import { Trainer } from '../trainer';
import { UsageError } from './args';
import { count } from './format';

/** The networks every engine is measured on, as in the speed issue's table. */
const CASES: { network: string; config: TrainingConfig }[] = [
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 5 } },
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 64 } },
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 256 } },
  { network: '784-128-64-10 sigmoid', config: { ...DEFAULT_CONFIG, hidden: [128, 64], activation: 'sigmoid', dropout: 0, batchSize: 64 } },
];

export const BENCH_USAGE = `Usage: npm run bench -- [--json] [--seconds S]

Measures training speed (forward, backward and update, one thread) on the embedded digits.
  --seconds S   time measured per case, after a warm-up of a third of it (default 3)
  --json        one JSON object per line: network, batch, engine, samplesPerSecond, gflops`;

/**
 * Floating-point operations of one training step on `rows` examples: per linear
 * layer 2NIO for X W^T, 2NIO for dY^T X, 2NIO for dY W where it is computed, and
 * 2 per parameter for the update. Elementwise work is left out.
 */
export function trainingFlops(net: Network, rows: number): number {
  let flops = 0;
  for (const layer of net.layers) {
    if (!(layer instanceof Linear)) continue;
    const products = layer.gradInput ? 3 : 2;
    const params = layer.W.length + layer.b.length;
    flops += products * 2 * rows * layer.inFeatures * layer.outFeatures + 2 * params;
  }
  return flops;
}

export function bench(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, seconds: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const seconds = Number(values.seconds ?? 3);
  if (!(seconds > 0)) throw new UsageError(`--seconds takes a positive number (got "${values.seconds}")`);
  const data = loadEmbeddedSplits();
  if (!values.json) console.log('network                      batch  engine       samples/s  GFLOP/s');
  for (const { network, config } of CASES) {
    const trainer = new Trainer(config, data);
    runFor(trainer, seconds / 3);
    const { samples, elapsed } = runFor(trainer, seconds);
    const samplesPerSecond = samples / elapsed;
    const gflops = (trainingFlops(trainer.network, config.batchSize) * (samplesPerSecond / config.batchSize)) / 1e9;
    const row = { network, batch: config.batchSize, engine: 'typescript', samplesPerSecond, gflops };
    if (values.json) console.log(JSON.stringify(row));
    else console.log(`${network.padEnd(28)} ${String(row.batch).padStart(5)}  ${row.engine.padEnd(10)} ${count(samplesPerSecond).padStart(10)}  ${gflops.toFixed(2).padStart(7)}`);
  }
  return 0;
}

function runFor(trainer: Trainer, seconds: number): { samples: number; elapsed: number } {
  const start = performance.now();
  let samples = 0;
  while (performance.now() - start < seconds * 1000) samples += trainer.trainStep().rows;
  return { samples, elapsed: (performance.now() - start) / 1000 };
}
