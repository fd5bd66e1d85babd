/**
 * The one message protocol of Backprop Lens: engine worker -> extension host ->
 * webview, and back. Every boundary checks what it receives with the parse
 * functions below; a message from the webview is untrusted input.
 */
import { ACTIVATIONS, MAX_HIDDEN_LAYERS, type TrainingConfig } from './train/config';
import type { LayerType } from './nn/layers/layer';
import type { EpochResult } from './train/trainer';
import type { Phase } from './train/stepper';
import type { LossType } from './nn/losses';
import type { CheckReport } from './check/report';
import type { Divergence } from './train/divergence';
import type { Reading } from './train/probe';
import type { RunRecord } from './train/runRecord';
import { EXPERIMENTS } from './train/experiments';

export type RunState = 'idle' | 'loading' | 'running' | 'paused' | 'finished';

export type DataSource = { readonly kind: 'embedded' } | { readonly kind: 'idx'; readonly folder: string };

/** Which step commands make sense now. */
export interface Stepping {
  readonly canStepForward: boolean;
  readonly canStepBackward: boolean;
  readonly canApplyUpdate: boolean;
}

export const NO_STEPPING: Stepping = { canStepForward: false, canStepBackward: false, canApplyUpdate: false };

/** Per layer, per step: sizes, gradient norms over the mini-batch, output statistics. */
export interface LayerSummary {
  readonly type: LayerType;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** r, for dropout layers. */
  readonly dropoutRate: number | null;
  /** ||dW||_F and ||db||, for linear layers. */
  readonly dWNorm: number | null;
  readonly dbNorm: number | null;
  /** ||dL/d(input)||_F over the batch; null where not computed (the first layer). */
  readonly gradInputNorm: number | null;
  readonly activation: { readonly mean: number; readonly std: number; readonly min: number; readonly max: number; readonly zeroFraction: number };
}

/**
 * One example followed through every layer: the mini-batch's first row, or a
 * digit the user chose (drawn, or from the validation set), run through the
 * network on its own in evaluation mode.
 */
export interface TrackedExample {
  /** The chosen digit's name ("the drawn digit", "validation digit 12"); null for the mini-batch's first example. */
  readonly chosen: string | null;
  /** N of the pass its gradients come from (the batch's, or 1), and that pass's mean data loss. */
  readonly rows: number;
  readonly dataLoss: number;
  /** The class its one-hot target marks; -1 for other targets. */
  readonly label: number;
  /** Its target vector y. */
  readonly target: Float32Array;
  readonly input: Float32Array;
  /** dL/dx, once the backward pass has reached the input; null where it is not computed (training skips it). */
  readonly inputGradient: Float32Array | null;
  /** Each layer's output for this example. */
  readonly outputs: Float32Array[];
  /** dL/d(output) per layer; null for layers the backward pass of this step has not reached. */
  readonly gradOutputs: (Float32Array | null)[];
  /** The dropout mask per layer (1 kept, 0 dropped); null for other layers. */
  readonly masks: (Uint8Array | null)[];
  /** Softmax probabilities; null before the loss sub-step. */
  readonly probabilities: Float32Array | null;
}

/** What the panel needs of one training step: small enough to send many times a second. */
export interface Snapshot {
  readonly step: number;
  readonly epoch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** N, the size of the current (mini-)batch. */
  readonly rows: number;
  readonly lossFunction: LossType;
  readonly phase: Phase;
  /** Of the last completed loss sub-step. */
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** Of the last completed step; null before the first. */
  readonly batchAccuracy: number | null;
  /** Training speed this epoch so far; null before it is measured. */
  readonly samplesPerSecond: number | null;
  readonly layers: LayerSummary[];
  readonly tracked: TrackedExample;
}

export interface FinalResult {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** A linear layer's parameters and their gradients, by their names in the math. */
export const MATRIX_NAMES = ['W', 'dW', 'b', 'db'] as const;
export type MatrixName = (typeof MATRIX_NAMES)[number];

/** A whole weight matrix (or bias vector, one column), or its gradient, sent only when asked for. */
export interface Matrix {
  readonly layer: number;
  readonly name: MatrixName;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A layer as a network spec file writes it; linear layers carry their trained W and b. */
export type ExportedLayer =
  | { readonly type: 'linear'; readonly in: number; readonly out: number; readonly W: Float32Array; readonly b: Float32Array }
  | { readonly type: 'relu' | 'tanh' | 'sigmoid' }
  | { readonly type: 'dropout'; readonly rate: number };

/** A drawn digit: 28 x 28 pixels, row-major, each in [0, 1], as MNIST's. */
export const DIGIT_PIXELS = 784;
export const DIGIT_CLASSES = 10;

/** Whose dL/dx a reading of a digit also computes: the predicted class, a given class, or none. */
export type SaliencyFor = 'predicted' | number | null;

/** A digit the user chose to follow through the network, and the class whose loss its gradients are of. */
export interface ChosenDigit {
  readonly pixels: Float32Array;
  readonly target: 'predicted' | number;
  /** What the views call it, such as "the drawn digit" (at most MAX_NAME characters). */
  readonly name: string;
}

const MAX_NAME = 80;

/** What the current network makes of a drawn digit (`id` is the panel's, to drop stale answers), or why it cannot say. */
export type DigitOutcome =
  | { readonly id: number; readonly reading: Reading }
  | { readonly id: number; readonly problem: string };

/** Validation digits of one cell of the confusion matrix (true class, predicted class), as of the last epoch's end. */
export interface ConfusionCell {
  readonly trueClass: number;
  readonly predicted: number;
  /** The epoch whose evaluation put them there. */
  readonly epoch: number;
  /** How many digits the cell has; `digits` holds the first MAX_GALLERY of them. */
  readonly count: number;
  readonly digits: readonly { readonly index: number; readonly pixels: Float32Array }[];
}

/** The most digits of one cell sent to the panel's gallery. */
export const MAX_GALLERY = 24;

/** A run kept for comparison: its record, and a number to remove it by. */
export interface PinnedRun extends RunRecord {
  readonly id: number;
}

/** The panel's charts that can be exported, by their element ids. */
export const CHART_IDS = ['layer-graph', 'gradient-norms', 'learning-curves', 'confusion-matrix', 'dropout-masks', 'inspector', 'draw-digit'] as const;
export type ChartId = (typeof CHART_IDS)[number];

function isChartId(x: unknown): x is ChartId {
  return (CHART_IDS as readonly unknown[]).includes(x);
}

/** The most an exported chart may weigh, as text: a PNG of a wide panel is a few MB in base64. */
const MAX_EXPORT_LENGTH = 32_000_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Pinned runs, at most. */
export const MAX_PINS = 5;

/** Why a drawn digit has no reading before any run. */
export const NO_NETWORK = 'There is no network yet: press Train, or Step Forward, then draw again.';

/** `data` and `spec` end the run before it starts: the user fixes the file. */
export type RunErrorKind = 'data' | 'spec' | 'internal';

// ---- host -> worker ----

export type WorkerCommand =
  /** threads: of the linear layers' products (1 or 2; see engine/nn/wasmThreads.ts). */
  | { readonly type: 'start'; readonly config: TrainingConfig; readonly data: DataSource; readonly paused: boolean; readonly snapshotsPerSecond: number; readonly threads: number }
  /** A network spec's text, to step through (paused) on its own batch; `name` says where it came from. */
  | { readonly type: 'loadSpec'; readonly text: string; readonly name: string; readonly snapshotsPerSecond: number }
  | { readonly type: 'pause' | 'resume' | 'stepForward' | 'stepBackward' | 'applyUpdate' }
  | { readonly type: 'requestMatrix'; readonly requestId: number; readonly layer: number; readonly name: MatrixName }
  | { readonly type: 'exportWeights'; readonly requestId: number }
  | { readonly type: 'readDigit'; readonly requestId: number; readonly pixels: Float32Array; readonly saliencyFor: SaliencyFor }
  /** Follow this digit instead of the mini-batch's first example (null: the batch's again). */
  | { readonly type: 'track'; readonly digit: ChosenDigit | null }
  | { readonly type: 'confusionCell'; readonly requestId: number; readonly trueClass: number; readonly predicted: number }
  /** The engine thread's own heap, for the soak test and diagnostics. */
  | { readonly type: 'measureMemory'; readonly requestId: number };

// ---- worker -> host ----

export type WorkerEvent =
  | { readonly type: 'state'; readonly state: RunState; readonly stepping: Stepping }
  /** `engine`: which kernels train, in words (and why, where it is not WebAssembly SIMD). */
  | { readonly type: 'loaded'; readonly source: string; readonly train: number; readonly validation: number; readonly test: number; readonly engine: string }
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly type: 'epoch'; readonly result: EpochResult }
  | { readonly type: 'finished'; readonly result: FinalResult }
  /** The run stopped, paused, at a step with a NaN or an infinity; that step's records stay to be inspected. */
  | { readonly type: 'diverged'; readonly divergence: Divergence }
  | { readonly type: 'matrix'; readonly requestId: number; readonly matrix: Matrix | null }
  | { readonly type: 'weights'; readonly requestId: number; readonly layers: ExportedLayer[] }
  /** null until an epoch has ended (no evaluation yet). */
  | { readonly type: 'confusionCell'; readonly requestId: number; readonly cell: ConfusionCell | null }
  /** A reading of a drawn digit, or why there is none (no network yet, or one that does not take digits). */
  | { readonly type: 'digit'; readonly requestId: number; readonly reading: Reading | null; readonly problem: string | null }
  /** Bytes of the engine thread's JavaScript heap in use (the WebAssembly memory is outside it, in the process's RSS). */
  | { readonly type: 'memory'; readonly requestId: number; readonly heapUsed: number }
  | { readonly type: 'error'; readonly kind: RunErrorKind; readonly message: string; readonly file?: string };

// ---- host -> webview ----

/** Everything the panel shows apart from the per-step snapshot. */
export interface RunStatus {
  readonly state: RunState;
  readonly stepping: Stepping;
  readonly config: TrainingConfig | null;
  /** The network spec being stepped through (its file name); null for a training run. */
  readonly spec: string | null;
  /** Where the data came from, once loaded. */
  readonly source: string | null;
  readonly epochs: EpochResult[];
  readonly final: FinalResult | null;
  /** The last problem, in words, or a note such as "stopped". */
  readonly message: string | null;
  /** Where and why the run diverged; null while its numbers are finite. */
  readonly divergence: Divergence | null;
}

/** The settings the panel's form edits: the hyperparameters of the next run. */
export const PANEL_SETTINGS = ['hiddenLayers', 'activation', 'dropoutRate', 'learningRate', 'momentum', 'l2Lambda', 'batchSize', 'epochs', 'seed'] as const;
export type PanelSetting = (typeof PANEL_SETTINGS)[number];
export type PanelSettings = { readonly [K in PanelSetting]: K extends 'hiddenLayers' ? number[] : K extends 'activation' ? string : number };

/** Check My Backprop's report on a file, as the panel shows it, or why the file could not be checked. */
export type CheckOutcome =
  | { readonly file: string; readonly report: CheckReport }
  | { readonly file: string; readonly error: string };

export type HostMessage =
  | { readonly type: 'status'; readonly status: RunStatus }
  | { readonly type: 'check'; readonly check: CheckOutcome }
  | { readonly type: 'settings'; readonly settings: PanelSettings }
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly type: 'matrix'; readonly matrix: Matrix }
  | { readonly type: 'digit'; readonly digit: DigitOutcome }
  | { readonly type: 'confusionCell'; readonly cell: ConfusionCell }
  | { readonly type: 'pins'; readonly pins: PinnedRun[] }
  /** The current run's histories so far, for a panel that opens after it began. */
  | { readonly type: 'history'; readonly record: RunRecord }
  /** Send this chart for export (the palette's Export Chart). */
  | { readonly type: 'exportChart'; readonly chart: ChartId };

// ---- webview -> host ----

export const PANEL_COMMANDS = ['train', 'pause', 'resume', 'stop', 'stepForward', 'stepBackward', 'applyUpdate', 'reset'] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];
/** What the panel's welcome offers besides training: a built-in spec, and the walkthrough. */
export const WELCOME_COMMANDS = ['openExample', 'getStarted'] as const;
export type WelcomeCommand = (typeof WELCOME_COMMANDS)[number];

export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'command'; readonly command: PanelCommand | WelcomeCommand }
  | { readonly type: 'requestMatrix'; readonly layer: number; readonly name: MatrixName }
  | { readonly type: 'updateSetting'; readonly key: PanelSetting; readonly value: number | number[] | string }
  /** Text for the clipboard (a vector as JSON): the webview's own clipboard is not reliable in every host. */
  | { readonly type: 'copy'; readonly text: string }
  /** Show the def of the last check report's check number `index` in the editor. */
  | { readonly type: 'revealCheck'; readonly index: number }
  /** Check the last checked file again. */
  | { readonly type: 'checkAgain' }
  /** Follow a digit the user chose through the network (null: the mini-batch's first example again). */
  | { readonly type: 'track'; readonly digit: ChosenDigit | null }
  /** The validation digits of one cell of the confusion matrix. */
  | { readonly type: 'confusionCell'; readonly trueClass: number; readonly predicted: number }
  /** Run both runs of an experiment and pin them. */
  | { readonly type: 'runExperiment'; readonly id: string }
  /** A chart as an SVG document and as a PNG (base64), for the host to save where the user says. */
  | { readonly type: 'exportChart'; readonly chart: ChartId; readonly svg: string; readonly png: string }
  /** Save a run's histories as CSV: the host asks which run and where. */
  | { readonly type: 'exportHistories' }
  /** Keep the current run's histories in the charts; remove a kept one. */
  | { readonly type: 'pin' }
  | { readonly type: 'unpin'; readonly id: number }
  /** What the network makes of a drawn digit; `id` comes back with the answer. */
  | { readonly type: 'readDigit'; readonly id: number; readonly pixels: Float32Array; readonly saliencyFor: SaliencyFor };

/** The most a copy from the panel may carry: a 784 x 1000 matrix as JSON is about 12 MB. */
export const MAX_COPY_LENGTH = 16_000_000;

// ---- runtime checks ----

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isCount(x: unknown, max = Number.MAX_SAFE_INTEGER): x is number {
  return Number.isInteger(x) && (x as number) >= 0 && (x as number) <= max;
}

function isMatrixName(x: unknown): x is MatrixName {
  return (MATRIX_NAMES as readonly unknown[]).includes(x);
}

/** A message from the webview, or null for anything unknown or malformed. */
export function parseWebviewMessage(x: unknown): WebviewMessage | null {
  if (!isObject(x)) return null;
  switch (x.type) {
    case 'ready':
      return { type: 'ready' };
    case 'command':
      return ([...PANEL_COMMANDS, ...WELCOME_COMMANDS] as readonly unknown[]).includes(x.command) ? { type: 'command', command: x.command as PanelCommand | WelcomeCommand } : null;
    case 'requestMatrix':
      return isCount(x.layer, 1000) && isMatrixName(x.name) ? { type: 'requestMatrix', layer: x.layer, name: x.name } : null;
    case 'updateSetting':
      return isSettingValue(x.key, x.value) ? { type: 'updateSetting', key: x.key as PanelSetting, value: x.value } : null;
    case 'copy':
      return typeof x.text === 'string' && x.text.length <= MAX_COPY_LENGTH ? { type: 'copy', text: x.text } : null;
    case 'checkAgain':
      return { type: 'checkAgain' };
    case 'revealCheck':
      return isCount(x.index, 10000) ? { type: 'revealCheck', index: x.index } : null;
    case 'readDigit': {
      const pixels = digitPixels(x.pixels);
      return isCount(x.id) && pixels && isSaliencyFor(x.saliencyFor) ? { type: 'readDigit', id: x.id, pixels, saliencyFor: x.saliencyFor } : null;
    }
    case 'track': {
      const digit = chosenDigit(x.digit);
      return digit !== undefined ? { type: 'track', digit } : null;
    }
    case 'confusionCell':
      return isCount(x.trueClass, 999) && isCount(x.predicted, 999) ? { type: 'confusionCell', trueClass: x.trueClass, predicted: x.predicted } : null;
    case 'pin':
    case 'exportHistories':
      return { type: x.type };
    case 'runExperiment':
      return EXPERIMENTS.some((e) => e.id === x.id) ? { type: 'runExperiment', id: x.id as string } : null;
    case 'exportChart':
      return isChartId(x.chart) && typeof x.svg === 'string' && x.svg.length <= MAX_EXPORT_LENGTH && typeof x.png === 'string' && x.png.length <= MAX_EXPORT_LENGTH && BASE64.test(x.png)
        ? { type: 'exportChart', chart: x.chart, svg: x.svg, png: x.png }
        : null;
    case 'unpin':
      return isCount(x.id) ? { type: 'unpin', id: x.id } : null;
    default:
      return null;
  }
}

/** 784 numbers in [0, 1] (a Float32Array, or an array where a host sends JSON), as a Float32Array; else null. */
function digitPixels(x: unknown): Float32Array | null {
  if (!(x instanceof Float32Array || Array.isArray(x)) || x.length !== DIGIT_PIXELS) return null;
  const values = x as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) return null;
  }
  return Float32Array.from(values as ArrayLike<number>);
}

/** A chosen digit rebuilt field by field, null for none, undefined for anything else. */
function chosenDigit(x: unknown): ChosenDigit | null | undefined {
  if (x === null) return null;
  if (!isObject(x)) return undefined;
  const pixels = digitPixels(x.pixels), target = x.target, name = x.name;
  const named = typeof name === 'string' && name.length > 0 && name.length <= MAX_NAME;
  return pixels && named && (target === 'predicted' || isCount(target, DIGIT_CLASSES - 1)) ? { pixels, target, name } : undefined;
}

function isSaliencyFor(x: unknown): x is SaliencyFor {
  return x === null || x === 'predicted' || isCount(x, DIGIT_CLASSES - 1);
}

/** The shape a setting's value must have; its range is checked when a run starts. */
function isSettingValue(key: unknown, value: unknown): value is number | number[] | string {
  if (!(PANEL_SETTINGS as readonly unknown[]).includes(key)) return false;
  if (key === 'hiddenLayers') return Array.isArray(value) && value.length >= 1 && value.length <= MAX_HIDDEN_LAYERS && value.every((n) => isCount(n, 100000));
  if (key === 'activation') return (ACTIVATIONS as readonly unknown[]).includes(value);
  return typeof value === 'number' && Number.isFinite(value);
}

function isConfig(x: unknown): x is TrainingConfig {
  if (!isObject(x)) return false;
  const numbers = ['dropout', 'learningRate', 'momentum', 'lambda', 'batchSize', 'epochs', 'seed'];
  return (
    Array.isArray(x.hidden) && x.hidden.every((n) => isCount(n)) &&
    (ACTIVATIONS as readonly unknown[]).includes(x.activation) &&
    typeof x.l2Biases === 'boolean' &&
    numbers.every((k) => typeof x[k] === 'number')
  );
}

function isDataSource(x: unknown): x is DataSource {
  return isObject(x) && (x.kind === 'embedded' || (x.kind === 'idx' && typeof x.folder === 'string'));
}

/** A command from the host, or null. */
export function parseWorkerCommand(x: unknown): WorkerCommand | null {
  if (!isObject(x)) return null;
  switch (x.type) {
    case 'start':
      return isConfig(x.config) && isDataSource(x.data) && typeof x.paused === 'boolean' && typeof x.snapshotsPerSecond === 'number' && (x.threads === 1 || x.threads === 2)
        ? { type: 'start', config: x.config, data: x.data, paused: x.paused, snapshotsPerSecond: x.snapshotsPerSecond, threads: x.threads }
        : null;
    case 'loadSpec':
      return typeof x.text === 'string' && typeof x.name === 'string' && typeof x.snapshotsPerSecond === 'number'
        ? { type: 'loadSpec', text: x.text, name: x.name, snapshotsPerSecond: x.snapshotsPerSecond }
        : null;
    case 'pause': case 'resume': case 'stepForward': case 'stepBackward': case 'applyUpdate':
      return { type: x.type };
    case 'requestMatrix':
      return isCount(x.requestId) && isCount(x.layer, 1000) && isMatrixName(x.name) ? { type: 'requestMatrix', requestId: x.requestId, layer: x.layer, name: x.name } : null;
    case 'exportWeights':
    case 'measureMemory':
      return isCount(x.requestId) ? { type: x.type, requestId: x.requestId } : null;
    case 'readDigit': {
      const pixels = digitPixels(x.pixels);
      return isCount(x.requestId) && pixels && isSaliencyFor(x.saliencyFor) ? { type: 'readDigit', requestId: x.requestId, pixels, saliencyFor: x.saliencyFor } : null;
    }
    case 'track': {
      const digit = chosenDigit(x.digit);
      return digit !== undefined ? { type: 'track', digit } : null;
    }
    case 'confusionCell':
      return isCount(x.requestId) && isCount(x.trueClass, 999) && isCount(x.predicted, 999)
        ? { type: 'confusionCell', requestId: x.requestId, trueClass: x.trueClass, predicted: x.predicted }
        : null;
    default:
      return null;
  }
}

const RUN_STATES: readonly unknown[] = ['idle', 'loading', 'running', 'paused', 'finished'];

function isSnapshot(x: unknown): x is Snapshot {
  return (
    // A diverged step's NaN loss arrives as null where the host sends JSON (VS Code's webviews).
    isObject(x) && isCount(x.step) && isCount(x.epoch) && (typeof x.loss === 'number' || x.loss === null) &&
    Array.isArray(x.layers) && isObject(x.tracked) && x.tracked.input instanceof Float32Array && isObject(x.phase)
  );
}

/**
 * An event from the worker, or null. The worker is our own code, so this checks
 * the shape that the host relies on, not every number.
 */
export function parseWorkerEvent(x: unknown): WorkerEvent | null {
  if (!isObject(x)) return null;
  const ok = ((): boolean => {
    switch (x.type) {
      case 'state': return RUN_STATES.includes(x.state) && isObject(x.stepping);
      case 'loaded': return typeof x.source === 'string' && isCount(x.train);
      case 'snapshot': return isSnapshot(x.snapshot);
      case 'epoch': return isObject(x.result) && isCount(x.result.epoch);
      case 'finished': return isObject(x.result) && typeof x.result.testAccuracy === 'number';
      case 'diverged': return isObject(x.divergence) && typeof x.divergence.message === 'string' && isCount(x.divergence.step);
      case 'matrix': return isCount(x.requestId) && (x.matrix === null || (isObject(x.matrix) && x.matrix.data instanceof Float32Array));
      case 'weights': return isCount(x.requestId) && Array.isArray(x.layers);
      case 'memory': return isCount(x.requestId) && isCount(x.heapUsed);
      case 'digit': return isCount(x.requestId) && (typeof x.problem === 'string' || isReading(x.reading));
      case 'confusionCell': return isCount(x.requestId) && (x.cell === null || isConfusionCell(x.cell));
      case 'error': return (x.kind === 'data' || x.kind === 'spec' || x.kind === 'internal') && typeof x.message === 'string';
      default: return false;
    }
  })();
  return ok ? (x as unknown as WorkerEvent) : null;
}

function isCheckOutcome(x: unknown): boolean {
  if (!isObject(x) || typeof x.file !== 'string') return false;
  return typeof x.error === 'string' || (isObject(x.report) && Array.isArray(x.report.checks) && x.report.checks.every(isObject));
}

function isReading(x: unknown): x is Reading {
  return isObject(x) && x.probabilities instanceof Float64Array && isCount(x.predicted) &&
    (x.saliency === null || (isObject(x.saliency) && isCount(x.saliency.target) && x.saliency.gradient instanceof Float64Array));
}

function isConfusionCell(x: unknown): x is ConfusionCell {
  return isObject(x) && isCount(x.trueClass) && isCount(x.predicted) && isCount(x.epoch) && isCount(x.count) && Array.isArray(x.digits) &&
    x.digits.length <= MAX_GALLERY && x.digits.every((d) => isObject(d) && isCount(d.index) && digitPixels(d.pixels) !== null);
}

function isDigitOutcome(x: unknown): x is DigitOutcome {
  return isObject(x) && isCount(x.id) && (typeof x.problem === 'string' || isReading(x.reading));
}

/** A message from the host, as the webview checks it, or null. */
export function parseHostMessage(x: unknown): HostMessage | null {
  if (!isObject(x)) return null;
  if (x.type === 'status' && isObject(x.status) && RUN_STATES.includes(x.status.state) && Array.isArray(x.status.epochs)) return x as unknown as HostMessage;
  if (x.type === 'snapshot' && isSnapshot(x.snapshot)) return x as unknown as HostMessage;
  if (x.type === 'settings' && isObject(x.settings) && PANEL_SETTINGS.every((k) => isObject(x.settings) && k in x.settings)) return x as unknown as HostMessage;
  if (x.type === 'matrix' && isObject(x.matrix) && x.matrix.data instanceof Float32Array) return x as unknown as HostMessage;
  if (x.type === 'check' && isCheckOutcome(x.check)) return x as unknown as HostMessage;
  if (x.type === 'digit' && isDigitOutcome(x.digit)) return x as unknown as HostMessage;
  if (x.type === 'confusionCell' && isConfusionCell(x.cell)) return x as unknown as HostMessage;
  if (x.type === 'pins' && parsePinnedRuns(x.pins) !== null) return x as unknown as HostMessage;
  if (x.type === 'history' && isObject(x.record) && parsePinnedRuns([{ ...x.record, id: 0 }]) !== null) return x as unknown as HostMessage;
  if (x.type === 'exportChart' && isChartId(x.chart)) return x as unknown as HostMessage;
  return null;
}

/** Finite numbers, and nothing else. */
function isNumbers(x: unknown, length?: number): x is number[] {
  return Array.isArray(x) && (length === undefined || x.length === length) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/**
 * Pinned runs as the workspace state or the host gives them, rebuilt field by
 * field, or null if anything is out of shape (a state written by another version).
 */
export function parsePinnedRuns(x: unknown): PinnedRun[] | null {
  if (!Array.isArray(x) || x.length > MAX_PINS) return null;
  const runs: PinnedRun[] = [];
  for (const r of x) {
    if (!isObject(r) || !isCount(r.id) || !isConfig(r.config) || !isNumbers(r.steps)) return null;
    const n = r.steps.length;
    const layers = r.layers, norms = r.gradNorms, validation = r.validation;
    if (!Array.isArray(layers) || !layers.every((l) => typeof l === 'string' && l.length <= 40)) return null;
    // A norm is NaN where a layer had none that step; JSON keeps it as null.
    if (!isNumbers(r.loss, n) || !Array.isArray(norms) || norms.length !== layers.length || !norms.every((v) => Array.isArray(v) && v.length === n && v.every((e) => e === null || typeof e === 'number'))) return null;
    if (!Array.isArray(validation) || !validation.every((v) => isNumbers(v, 2)) || !isCount(r.stepsPerEpoch)) return null;
    runs.push({
      id: r.id, config: r.config, layers: [...layers] as string[], steps: [...r.steps], loss: [...r.loss],
      gradNorms: (norms as (number | null)[][]).map((v) => v.map((e) => (e === null ? NaN : e))), validation: (validation as [number, number][]).map(([e, a]) => [e, a]),
      stepsPerEpoch: r.stepsPerEpoch,
    });
  }
  return runs;
}
