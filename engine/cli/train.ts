import { loadTrainingData, Trainer, type EpochResult } from '../train/trainer';
import type { TrainingConfig } from '../train/config';
import type { Splits } from '../data/dataset';
import { typescriptKernels, type Kernels } from '../nn/kernels';
import { wasmKernels, wasmProblem } from '../nn/wasmKernels';
import { parseTrainArgs, TRAIN_USAGE, UsageError, type TrainArgs } from './args';
import { ProgressBar } from './progress';
import { count, fixed } from './format';
import { EXIT } from './exit';
import type { Divergence } from '../train/divergence';

/** `train`: the headless trainer. Returns the exit code. */
export function train(argv: string[]): number {
  const parsed = parseTrainArgs(argv);
  if (parsed === 'help') {
    console.log(TRAIN_USAGE);
    return EXIT.done;
  }
  const started = performance.now();
  const data = loadTrainingData(parsed.config, parsed.data);
  const kernels = chooseKernels(parsed.engine, parsed.threads);
  const trainer = new Trainer(parsed.config, data, { kernels });
  const report = parsed.json ? jsonReport() : textReport(parsed, data, kernels);
  let trainSeconds = 0;
  while (!trainer.finished) {
    const epoch = trainer.runEpoch(() => report.step?.(trainer));
    if (!epoch) {
      report.diverged(trainer.divergence!);
      return EXIT.diverged;
    }
    trainSeconds += epoch.seconds;
    report.epoch(epoch);
  }
  const test = trainer.evaluate(data.test);
  report.end({
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    seconds: (performance.now() - started) / 1000,
    samplesPerSecond: (data.train.count * parsed.config.epochs) / trainSeconds,
  });
  return EXIT.done;
}

interface Final {
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Wall time of the whole run: loading, training, evaluating. */
  readonly seconds: number;
  /** Training throughput: forward, backward and update. */
  readonly samplesPerSecond: number;
}

interface Report {
  step?: (trainer: Trainer) => void;
  epoch(e: EpochResult): void;
  end(f: Final): void;
  diverged(d: Divergence): void;
}

function jsonReport(): Report {
  return {
    epoch: (e) => console.log(JSON.stringify(e)),
    end: (f) => console.log(JSON.stringify(f)),
    diverged: (d) => {
      console.error(d.message);
      console.log(JSON.stringify({ error: 'diverged', step: d.step, epoch: d.epoch, layer: d.layer, tensor: d.tensor, pass: d.pass, message: d.message }));
    },
  };
}

function describe(c: TrainingConfig, classes: number, features: number): string {
  const dropout = c.dropout > 0 ? ` -> dropout ${c.dropout}` : '';
  const hidden = c.hidden.map((h) => `${h} ${c.activation}${dropout}`).join(' -> ');
  return (
    `network   ${features} -> ${hidden} -> ${classes} softmax cross-entropy\n` +
    `training  learning rate ${c.learningRate}, momentum ${c.momentum}, lambda ${c.lambda}${c.l2Biases ? ' (biases too)' : ''}, ` +
    `mini-batch ${c.batchSize}, ${c.epochs} epoch${c.epochs === 1 ? '' : 's'}, seed ${c.seed}`
  );
}

/** The kernels asked for, or the fastest that run here; a fallback says why on stderr. */
function chooseKernels(engine: TrainArgs['engine'], threads: number): Kernels {
  if (engine === 'typescript') return typescriptKernels;
  const wasm = wasmKernels(threads);
  if (wasm) return wasm;
  if (engine === 'wasm') throw new UsageError(`--engine wasm: WebAssembly SIMD does not run here: ${wasmProblem(threads)}`);
  console.error(`WebAssembly SIMD does not run here (${wasmProblem(threads)}): training with the TypeScript kernels`);
  return typescriptKernels;
}

function textReport(args: TrainArgs, data: Splits, kernels: Kernels): Report {
  const c = args.config;
  console.log(`engine    ${kernels.title}`);
  console.log(`data      ${data.source}: ${count(data.train.count)} train, ${count(data.validation.count)} validation, ${count(data.test.count)} test`);
  console.log(describe(c, data.train.classes, data.train.features));
  const bar = process.stdout.isTTY ? new ProgressBar(process.stdout) : null;
  return {
    step: bar
      ? (trainer) => {
          if (!bar.due()) return;
          const e = trainer.epochSoFar();
          const detail = `loss ${fixed(e.loss)}  train acc ${fixed(e.trainAccuracy)}  ${count(e.samplesPerSecond)} samples/s`;
          bar.draw(e.fraction, `epoch ${trainer.epoch}/${c.epochs}`, detail);
        }
      : undefined,
    epoch: (e) => {
      bar?.clear();
      const penalty = c.lambda > 0 ? ` (data ${fixed(e.dataLoss)} + penalty ${fixed(e.penalty)})` : '';
      console.log(
        `epoch ${String(e.epoch).padStart(String(c.epochs).length)}/${c.epochs}  loss ${fixed(e.loss)}${penalty}  ` +
          `train acc ${fixed(e.trainAccuracy)}  val acc ${fixed(e.validationAccuracy)}  ` +
          `${count(e.samplesPerSecond)} samples/s  ${e.seconds.toFixed(1)} s`,
      );
    },
    diverged: (d) => {
      bar?.clear();
      console.log(d.message);
    },
    end: (f) => {
      console.log(`test accuracy ${fixed(f.testAccuracy)} (loss ${fixed(f.testLoss)}) on ${count(data.test.count)} digits`);
      console.log(`${f.seconds.toFixed(1)} s in all, training at ${count(f.samplesPerSecond)} samples/s`);
      console.log('(train acc is measured on the mini-batches as they are trained, with dropout on)');
    },
  };
}
