import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type TrainingConfig } from '../train/config';
import { Linear } from '../nn/layers/linear';
import { loadEmbeddedSplits } from '../data/mnist';
import type { Splits } from '../data/dataset';
import type { Network } from '../nn/network';
import { Trainer } from '../train/trainer';
import { threadCount, UsageError } from './args';
import { EXIT } from './exit';
import { count } from './format';
import { typescriptKernels, type Kernels } from '../nn/kernels';
import { wasmKernels, wasmProblem } from '../nn/wasmKernels';

/** The networks every engine is measured on, as in the speed issue's table. */
const CASES: { network: string; config: TrainingConfig }[] = [
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 5 } },
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 64 } },
  { network: '784-1000-10 relu + dropout', config: { ...DEFAULT_CONFIG, batchSize: 256 } },
  { network: '784-128-64-10 sigmoid', config: { ...DEFAULT_CONFIG, hidden: [128, 64], activation: 'sigmoid', dropout: 0, batchSize: 64 } },
];

export const BENCH_USAGE = `Usage: npm run bench -- [--json] [--seconds S] [--threads T] [--profile]

Measures training speed (forward, backward and update) on the embedded digits,
with the WebAssembly SIMD kernels and with the TypeScript ones, in one run.
  --threads T   1 or 2: threads of the WebAssembly kernels' linear products (default 1;
                compare 2 with python3 ../shared/bench/numpy_mlp.py --threads 2)
  --seconds S   time measured per case and engine, after a warm-up of a third of it (default 3)
  --json        one JSON object per line: network, batch, engine, samplesPerSecond, gflops
  --profile     also where one step's time goes, for each case: sub-step by sub-step, and kernel by kernel`;

/**
 * Floating-point operations of one training step on `rows` examples: per linear
 * layer 2NIO for X W^T, 2NIO for dY^T X, 2NIO for dY W where it is computed, and
 * 2 per parameter for the update. Elementwise work is left out, and so is the
 * work that skipping zero inputs saves: this is what a dense engine does.
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

interface Measurement {
  readonly network: string;
  readonly batch: number;
  readonly engine: Kernels['name'];
  readonly threads: number;
  readonly samplesPerSecond: number;
  readonly gflops: number;
}

export function bench(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, seconds: { type: 'string' }, threads: { type: 'string' }, profile: { type: 'boolean' }, help: { type: 'boolean' } } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    console.log(BENCH_USAGE);
    return EXIT.done;
  }
  const seconds = Number(values.seconds ?? 3);
  if (!(seconds > 0)) throw new UsageError(`--seconds takes a positive number (got "${values.seconds}")`);
  const threads = threadCount(values.threads);
  const wasm = wasmKernels(threads);
  if (!wasm) console.error(`WebAssembly SIMD does not run here (${wasmProblem(threads)}): measuring the TypeScript kernels only`);
  const engines = wasm ? [wasm, typescriptKernels] : [typescriptKernels];
  const loading = performance.now();
  const data = loadEmbeddedSplits();
  console.error(`embedded digits loaded and split in ${(performance.now() - loading).toFixed(0)} ms`);
  if (!values.json) console.log(`network                      batch  ${engines.map((k) => `${k.name.padStart(10)} samples/s  GFLOP/s`).join('  ')}  ratio`);
  for (const { network, config } of CASES) {
    const rows = engines.map((kernels): Measurement => {
      const trainer = new Trainer(config, data, { kernels });
      runFor(trainer, seconds / 3);
      const { samples, elapsed } = runFor(trainer, seconds);
      const samplesPerSecond = samples / elapsed;
      const gflops = (trainingFlops(trainer.network, config.batchSize) * (samplesPerSecond / config.batchSize)) / 1e9;
      if (values.profile) {
        console.error(`${network}, batch ${config.batchSize}, ${kernels.name}: ${profile(trainer)}`);
        console.error(`  by kernel: ${kernelProfile(config, data, kernels)}`);
      }
      return { network, batch: config.batchSize, engine: kernels.name, threads: kernels.threads ?? 1, samplesPerSecond, gflops };
    });
    if (values.json) rows.forEach((row) => console.log(JSON.stringify(row)));
    else {
      const ratio = rows.length === 2 ? `${(rows[0].samplesPerSecond / rows[1].samplesPerSecond).toFixed(1)}x` : '';
      const cells = rows.map((r) => `${count(r.samplesPerSecond).padStart(20)}  ${r.gflops.toFixed(2).padStart(7)}`).join('  ');
      console.log(`${network.padEnd(28)} ${String(config.batchSize).padStart(5)}  ${cells}  ${ratio.padStart(5)}`);
    }
  }
  return EXIT.done;
}

function runFor(trainer: Trainer, seconds: number): { samples: number; elapsed: number } {
  const start = performance.now();
  let samples = 0;
  while (performance.now() - start < seconds * 1000) samples += trainer.trainStep().rows;
  return { samples, elapsed: (performance.now() - start) / 1000 };
}

/** Where one step's time goes: each sub-step's share over 200 steps, and the mean step. */
function profile(trainer: Trainer): string {
  const names: string[] = [], totals = new Map<string, number>();
  const STEPS = 200;
  for (let s = 0; s < STEPS; s++) {
    let t = performance.now();
    const time = (name: string): void => {
      const now = performance.now();
      if (s === 0) names.push(name);
      totals.set(name, (totals.get(name) ?? 0) + now - t);
      t = now;
    };
    while (!trainer.readyToUpdate) {
      trainer.advance();
      const p = trainer.phase;
      time(p.kind === 'forward' || p.kind === 'backward' ? `${p.kind === 'forward' ? 'fwd' : 'bwd'} ${p.layer} ${trainer.network.layers[p.layer].type}` : p.kind);
    }
    trainer.update();
    time('update');
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return `${(all / STEPS).toFixed(3)} ms a step: ${names.map((n) => `${n} ${((100 * totals.get(n)!) / all).toFixed(0)}%`).join(', ')}`;
}

/**
 * Where one step's time goes kernel by kernel, over 200 steps of a trainer whose
 * kernels are timed: each kernel's mean time a step (products named by their
 * N x I x O), and what is left for the engine's TypeScript around them.
 */
function kernelProfile(config: TrainingConfig, data: Splits, kernels: Kernels): string {
  const totals = new Map<string, number>();
  const timed = { ...kernels } as Record<string, unknown>;
  for (const [name, f] of Object.entries(kernels)) {
    if (typeof f !== 'function' || name.startsWith('allocate')) continue;
    timed[name] = (...args: unknown[]): unknown => {
      const start = performance.now(), result = (f as (...a: unknown[]) => unknown)(...args);
      // A product's first three numbers are its N, I and O.
      const key = name.startsWith('linear') ? `${name} ${args.filter((a) => typeof a === 'number').slice(0, 3).join('x')}` : name;
      totals.set(key, (totals.get(key) ?? 0) + performance.now() - start);
      return result;
    };
  }
  const trainer = new Trainer(config, data, { kernels: timed as unknown as Kernels });
  runFor(trainer, 0.3);
  totals.clear();
  const STEPS = 200, start = performance.now();
  for (let s = 0; s < STEPS; s++) trainer.trainStep();
  const step = (performance.now() - start) / STEPS, inKernels = [...totals.values()].reduce((a, b) => a + b, 0) / STEPS;
  const parts = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name, t]) => `${name} ${((1000 * t) / STEPS).toFixed(0)} us`);
  return `${step.toFixed(3)} ms a step: ${parts.join(', ')}; outside the kernels ${(1000 * (step - inKernels)).toFixed(0)} us`;
}
