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
import { wasmKernels, wasmPace, wasmProblem } from '../nn/wasmKernels';
import type { Dataset } from '../data/dataset';

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
  --profile     also where one step's time goes, for each case: sub-step by sub-step, and kernel by kernel,
                and the pace of the linear layers' products against this machine's`;

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
    const params = layer.W.length + layer.b.length;
    flops += 2 * denseMultiplyAdds(layer, rows) + 2 * params;
  }
  return flops;
}

/** N I O for X W^T, for dY^T X, and for dY W where it is computed. */
function denseMultiplyAdds(layer: Linear, rows: number): number {
  return (layer.gradInput ? 3 : 2) * rows * layer.inFeatures * layer.outFeatures;
}

/** How many of the images' inputs are not zero, and how many pairs of inputs (2q, 2q + 1) have one that is not, on average per image. */
export function inputDensity(images: Dataset): { nonZero: number; pairs: number } {
  const { count, features: I } = images;
  let nonZero = 0, pairs = 0;
  for (let at = 0; at < count * I; at += I) {
    for (let i = 0; i < I; i += 2) {
      const first = Number(images.images[at + i] !== 0), second = Number(i + 1 < I && images.images[at + i + 1] !== 0);
      nonZero += first + second;
      pairs += first | second;
    }
  }
  return { nonZero: nonZero / count, pairs: pairs / count };
}

/**
 * Multiply-adds (of one number each) of one step's linear products on `rows`
 * examples, as the kernels do them: N I O for each dense product, and for a
 * first layer on lists of its non-zero inputs, N x nonZero x O for X W^T and
 * N x pairs x 2 O for dW, which goes by pairs of inputs (engine/nn/wasm/kernels.ts).
 */
export function productWork(net: Network, rows: number, inputs: { nonZero: number; pairs: number }): number {
  let work = 0;
  for (const layer of net.layers) {
    if (!(layer instanceof Linear)) continue;
    work += layer.inputMajor ? rows * (inputs.nonZero + 2 * inputs.pairs) * layer.outFeatures : denseMultiplyAdds(layer, rows);
  }
  return work;
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
  const pace = values.profile && wasm ? wasmPace(wasm.name) : null;
  if (pace) console.error(`this machine, one thread, ${wasm!.name}: ${giga(pace.madds)} G multiply-adds/s with no memory read, ${giga(pace.panelLoop)} G/s in the first layer's loop with its rows in the L1 cache`);
  const density = pace ? inputDensity(data.train) : null;
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
        const byKernel = kernelProfile(config, data, kernels);
        console.error(`  by kernel: ${byKernel.text}`);
        if (pace && kernels === wasm) {
          const work = productWork(trainer.network, byKernel.rows, density!), madds = work / byKernel.products, most = pace.madds * (kernels.threads ?? 1);
          console.error(`  products: ${(work / 1e6).toFixed(2)} M multiply-adds a step in ${(1000 * byKernel.products).toFixed(3)} ms, ${giga(madds)} G/s: ${((100 * madds) / most).toFixed(0)}% of the most with no memory read${most === pace.madds ? '' : ` on ${kernels.threads} threads`}`);
        }
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
 * N x I x O), and what is left for the engine's TypeScript around them; then
 * the linear products' mean time a step (seconds) and the mean rows of a step.
 */
function kernelProfile(config: TrainingConfig, data: Splits, kernels: Kernels): { text: string; products: number; rows: number } {
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
  let rows = 0;
  for (let s = 0; s < STEPS; s++) rows += trainer.trainStep().rows;
  const step = (performance.now() - start) / STEPS, inKernels = [...totals.values()].reduce((a, b) => a + b, 0) / STEPS;
  const parts = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name, t]) => `${name} ${((1000 * t) / STEPS).toFixed(0)} us`);
  const products = [...totals.entries()].filter(([name]) => name.startsWith('linear')).reduce((sum, [, t]) => sum + t, 0) / STEPS;
  return { text: `${step.toFixed(3)} ms a step: ${parts.join(', ')}; outside the kernels ${(1000 * (step - inKernels)).toFixed(0)} us`, products: products / 1000, rows: rows / STEPS };
}

/** Per second, in billions, to one decimal. */
function giga(perSecond: number): string {
  return (perSecond / 1e9).toFixed(1);
}
