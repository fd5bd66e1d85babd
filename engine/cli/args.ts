import { parseArgs } from 'node:util';
import { ACTIVATIONS, DEFAULT_CONFIG, configProblems, type TrainingConfig } from '../train/config';
import type { ActivationType } from '../nn/layers/layer';

/** A command-line mistake: the message says what is wrong and how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface TrainArgs {
  readonly config: TrainingConfig;
  /** A folder of IDX files, or undefined for the embedded digits. */
  readonly data?: string;
  readonly json: boolean;
  /** The kernels asked for; by default the fastest that runs here. */
  readonly engine: 'wasm' | 'typescript' | undefined;
  /** Threads of the WebAssembly kernels' linear products: 1 or 2. */
  readonly threads: number;
}

export const TRAIN_USAGE = `Usage: npm run train -- [options]

Trains the MLP on MNIST and reports loss and accuracy per epoch, then the test accuracy.

  --hidden SIZES     hidden layer sizes, input side first   (default ${DEFAULT_CONFIG.hidden.join(',')}; e.g. 128,64)
  --activation NAME  ${ACTIVATIONS.join(' | ')}                  (default ${DEFAULT_CONFIG.activation})
  --dropout R        dropout rate in [0, 1), 0 for none     (default ${DEFAULT_CONFIG.dropout})
  --lr ETA           learning rate                          (default ${DEFAULT_CONFIG.learningRate})
  --momentum ALPHA   momentum in [0, 1), 0 for none         (default ${DEFAULT_CONFIG.momentum})
  --lambda LAMBDA    L2 strength on the weight matrices     (default ${DEFAULT_CONFIG.lambda})
  --l2-biases        apply lambda to the biases too
  --batch N          mini-batch size                        (default ${DEFAULT_CONFIG.batchSize})
  --epochs N         epochs                                 (default ${DEFAULT_CONFIG.epochs})
  --seed N           seed of initialisation, shuffling and dropout (default ${DEFAULT_CONFIG.seed})
  --data DIR         a folder of MNIST or Fashion-MNIST IDX files (default: the embedded 10,000 digits)
  --engine NAME      wasm | typescript: the kernels to train with (default: wasm where WebAssembly SIMD runs)
  --threads T        1 | 2: threads of the wasm kernels' products (default 1; the same numbers either way)
  --json             one JSON object per line instead of a progress display
  --help             this text`;

/** A number flag, or a UsageError that names the flag. */
function number(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${flag} takes a number (got "${raw}")`);
  return value;
}

/** --threads: 1 or 2 (the second thread is the kernels' helper; see engine/nn/wasmThreads.ts). */
export function threadCount(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (raw !== '1' && raw !== '2') throw new UsageError(`--threads takes 1 or 2 (got "${raw}")`);
  return Number(raw);
}

function sizes(raw: string | undefined): number[] {
  if (raw === undefined) return [...DEFAULT_CONFIG.hidden];
  return raw.split(',').map((part) => number('hidden', part, NaN));
}

/**
 * `--lr -1` as `--lr=-1`: parseArgs takes a value that starts with a dash for a
 * flag, and a negative number deserves the message about its range instead.
 */
export function attachNegativeNumbers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i].startsWith('--') && !argv[i].includes('=') && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

export function parseTrainArgs(argv: string[]): TrainArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: attachNegativeNumbers(argv),
      strict: true,
      options: {
        hidden: { type: 'string' },
        activation: { type: 'string' },
        dropout: { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        lambda: { type: 'string' },
        'l2-biases': { type: 'boolean' },
        batch: { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
        engine: { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const d = DEFAULT_CONFIG;
  const config: TrainingConfig = {
    hidden: sizes(values.hidden),
    activation: (values.activation ?? d.activation) as ActivationType,
    dropout: number('dropout', values.dropout, d.dropout),
    learningRate: number('lr', values.lr, d.learningRate),
    momentum: number('momentum', values.momentum, d.momentum),
    lambda: number('lambda', values.lambda, d.lambda),
    l2Biases: values['l2-biases'] ?? d.l2Biases,
    batchSize: number('batch', values.batch, d.batchSize),
    epochs: number('epochs', values.epochs, d.epochs),
    seed: number('seed', values.seed, d.seed),
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new UsageError(problems.map((p) => p.message).join('\n'));
  const engine = values.engine;
  if (engine !== undefined && engine !== 'wasm' && engine !== 'typescript') throw new UsageError(`--engine takes wasm or typescript (got "${engine}")`);
  const threads = threadCount(values.threads);
  if (threads > 1 && engine === 'typescript') throw new UsageError('--threads 2 splits the WebAssembly kernels\' products: leave out --engine typescript, or --threads');
  return { config, data: values.data, json: values.json ?? false, engine, threads };
}
