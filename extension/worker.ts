/**
 * The engine's thread. It trains in slices of a few milliseconds and reads its
 * messages in between, so that Pause, Stop and the step commands are answered at
 * once while training runs at full speed. Snapshots go out at the rate the host
 * asked for; the host coalesces them again for the webview.
 */
import { parentPort } from 'node:worker_threads';
import {
  buildSpecRun, DataFileError, DIGIT_CLASSES, DIGIT_PIXELS, formatPath, layerSpec, Linear, loadTrainingData, MAX_GALLERY, NO_NETWORK, NO_STEPPING, parseSpec, parseWorkerCommand, Probe,
  SoftmaxCrossEntropy, SpecSession, takeSnapshot, Trainer, wasmKernels, wasmProblem, type ChosenDigit, type ConfusionCell, type Dataset, type Evaluation, type ExportedLayer, type TrackedExample, type RunState, type Stepping, type WorkerCommand, type WorkerEvent,
} from '../engine';
import { heapAfterCollection } from './heap';

/** Longest stretch of training between two looks at the message queue. */
const SLICE_MS = 15;

/** While training, a chosen digit's numbers are computed again at most this often (each pass copies every weight). */
const CHOSEN_MS = 250;

const port = parentPort!;

function post(event: WorkerEvent): void {
  port.postMessage(event);
}

interface PendingEvaluation {
  readonly trainer: Trainer;
  readonly of: 'validation' | 'test';
  readonly chunks: Generator<void, Evaluation>;
}

/** What a run steps: a training run's mini-batches, or a network spec's one batch again and again. */
type Source = Trainer | SpecSession;

/** A network spec with problems: the run cannot start, and the message says why. */
class SpecError extends Error {}

class Run {
  state: RunState = 'loading';
  private lastSnapshotAt = -Infinity;
  private lastAccuracy: number | null = null;
  private pending: PendingEvaluation | null = null;
  private trainSeconds = 0;
  private readonly started = performance.now();
  private readonly snapshotInterval: number;
  /** The last validation pass: what the network predicted for each digit, for the confusion matrix's gallery. */
  private validated: { epoch: number; predicted: Uint8Array; data: Dataset } | null = null;
  /** Reads drawn digits; made on the first. */
  private probe: Probe | null = null;
  /** The digit the user chose to follow, and when its numbers were last computed. */
  private chosen: ChosenDigit | null = null;
  private chosenTracked: { example: TrackedExample; at: number } | null = null;

  constructor(readonly source: Source, snapshotsPerSecond: number) {
    this.snapshotInterval = 1000 / snapshotsPerSecond;
  }

  stepping(): Stepping {
    // A diverged run is over: its broken step stays on show, and nothing steps it on.
    if (this.source.divergence) return NO_STEPPING;
    const t = this.source, paused = this.state === 'paused';
    const phase = t.phase.kind;
    return {
      canStepForward: paused && !t.finished && !t.readyToUpdate,
      canStepBackward: paused && (phase === 'loss' || phase === 'backward') && !t.readyToUpdate,
      canApplyUpdate: paused && t.readyToUpdate,
    };
  }

  setState(state: RunState): void {
    this.state = state;
    post({ type: 'state', state, stepping: this.stepping() });
  }

  snapshot(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastSnapshotAt < this.snapshotInterval) return;
    this.lastSnapshotAt = now;
    const snapshot = takeSnapshot(this.source, this.lastAccuracy);
    post({ type: 'snapshot', snapshot: this.chosen ? { ...snapshot, tracked: this.trackChosen(this.chosen, now) } : snapshot });
  }

  /** Follow a chosen digit (if the network reads digits), or the batch's first example again. */
  track(digit: ChosenDigit | null): void {
    this.chosen = digit && !this.digitProblem() ? digit : null;
    this.chosenTracked = null;
    if (this.state !== 'loading') this.snapshot(true);
  }

  /** The chosen digit through the network: again at every paused step, at most every CHOSEN_MS while training. */
  private trackChosen(digit: ChosenDigit, now: number): TrackedExample {
    if (this.state === 'running' && this.chosenTracked && now - this.chosenTracked.at < CHOSEN_MS) return this.chosenTracked.example;
    this.probe ??= new Probe(this.source.network);
    this.chosenTracked = { example: this.probe.track(digit.pixels, digit.target, this.source.phase, digit.name), at: now };
    return this.chosenTracked.example;
  }

  /** Training until the slice is used up; called again and again while running. */
  pump = (): void => {
    if (this.state !== 'running') return;
    const end = performance.now() + SLICE_MS;
    while (this.state === 'running' && performance.now() < end) this.work();
    if (this.state === 'running') setImmediate(this.pump);
  };

  /** One unit of work: an evaluation chunk or a training step. */
  private work(): void {
    if (this.pending) return this.evaluateChunk();
    const s = this.source.trainStep();
    if (s.divergence) return this.diverged();
    this.lastAccuracy = s.batchAccuracy;
    this.afterStep(false);
  }

  /** Stops, paused at the broken step: its records are what the panel shows. */
  private diverged(): void {
    this.snapshot(true);
    post({ type: 'diverged', divergence: this.source.divergence! });
    this.setState('paused');
  }

  /** A snapshot if one is due (always at an epoch's end, or when a person asked for the step). */
  private afterStep(force: boolean): void {
    const t = this.source;
    this.snapshot(force || t.atEpochEnd);
    if (t instanceof Trainer && t.atEpochEnd) this.pending = { trainer: t, of: 'validation', chunks: t.evaluation(t.data.validation) };
  }

  private evaluateChunk(): void {
    const { trainer: t, of, chunks } = this.pending!;
    const next = chunks.next();
    if (!next.done) return;
    this.pending = null;
    if (of === 'validation') {
      const result = t.endEpoch(next.value);
      this.validated = { epoch: result.epoch, predicted: next.value.predicted, data: t.data.validation };
      this.trainSeconds += result.seconds;
      post({ type: 'epoch', result });
      if (t.finished) this.pending = { trainer: t, of: 'test', chunks: t.evaluation(t.data.test) };
    } else {
      post({
        type: 'finished',
        result: {
          testAccuracy: next.value.accuracy,
          testLoss: next.value.loss,
          seconds: (performance.now() - this.started) / 1000,
          samplesPerSecond: (t.data.train.count * t.config.epochs) / this.trainSeconds,
        },
      });
      this.setState('finished');
    }
  }

  /** Paused work goes on in one piece: an evaluation left half done is finished first. */
  private finishPending(): void {
    while (this.pending) this.evaluateChunk();
  }

  /** One sub-step: Step Forward and Step Backward differ only in when they are offered. */
  subStep(): void {
    this.finishPending();
    const t = this.source;
    if (this.state !== 'paused' || t.finished || t.readyToUpdate) return;
    t.advance();
    this.snapshot(true);
    this.setState('paused');
  }

  applyUpdate(): void {
    if (this.state !== 'paused' || !this.source.readyToUpdate || this.source.divergence) return;
    const s = this.source.update();
    if (s.divergence) return this.diverged();
    this.lastAccuracy = s.batchAccuracy;
    this.afterStep(true);
    this.finishPending();
    if (this.state === 'paused') this.setState('paused');
  }

  /** What the network makes of a drawn digit, or why it cannot say: only a 784-input, 10-class classifier reads digits. */
  readDigit(command: Extract<WorkerCommand, { type: 'readDigit' }>): WorkerEvent {
    const requestId = command.requestId, problem = this.digitProblem();
    if (problem) return { type: 'digit', requestId, reading: null, problem };
    this.probe ??= new Probe(this.source.network);
    return { type: 'digit', requestId, reading: this.probe.read(command.pixels, command.saliencyFor), problem: null };
  }

  /** The validation digits of class `trueClass` that the last evaluation read as `predicted`: the first MAX_GALLERY, and how many. */
  confusionCell(trueClass: number, predicted: number): ConfusionCell | null {
    if (!this.validated) return null;
    const { epoch, predicted: read, data } = this.validated, digits: ConfusionCell['digits'][number][] = [];
    let count = 0;
    for (let n = 0; n < data.count; n++) {
      if (data.labels[n] !== trueClass || read[n] !== predicted) continue;
      if (count++ < MAX_GALLERY) digits.push({ index: n, pixels: data.images.slice(n * data.features, (n + 1) * data.features) });
    }
    return { trueClass, predicted, epoch, count, digits };
  }

  /** Why this network cannot read a digit; null if it can. */
  private digitProblem(): string | null {
    const net = this.source.network, classifier = net.loss instanceof SoftmaxCrossEntropy;
    if (net.inFeatures === DIGIT_PIXELS && net.outFeatures === DIGIT_CLASSES && classifier) return null;
    return `This network takes ${net.inFeatures} inputs and gives ${net.outFeatures} outputs${classifier ? '' : ' with a squared-error loss'}: `
      + `a drawn digit needs a classifier of ${DIGIT_PIXELS} pixels into ${DIGIT_CLASSES} classes. Train one (Train MLP), or step through a spec of MNIST digits.`;
  }

  exportLayers(): ExportedLayer[] {
    return this.source.network.layers.map((layer): ExportedLayer => {
      if (layer instanceof Linear) {
        return { type: 'linear', in: layer.inFeatures, out: layer.outFeatures, W: Float32Array.from(layer.matrix('W')), b: Float32Array.from(layer.b) };
      }
      return layerSpec(layer) as ExportedLayer;
    });
  }
}

let run: Run | null = null;

function start(command: Extract<WorkerCommand, { type: 'start' }>): void {
  post({ type: 'state', state: 'loading', stepping: NO_STEPPING });
  const data = loadTrainingData(command.config, command.data.kind === 'idx' ? command.data.folder : undefined);
  const threaded = command.threads > 1 ? wasmKernels(command.threads) : null;
  const trainer = new Trainer(command.config, data, threaded ? { kernels: threaded } : {});
  const kernels = trainer.network.kernels;
  const single = command.threads > 1 && !threaded ? ` (on one thread: ${wasmProblem(command.threads)})` : '';
  const engine = kernels.name === 'typescript' ? `TypeScript kernels (WebAssembly SIMD does not run here: ${wasmProblem()})` : kernels.title + single;
  post({ type: 'loaded', source: data.source, train: data.train.count, validation: data.validation.count, test: data.test.count, engine });
  run = new Run(trainer, command.snapshotsPerSecond);
  run.setState(command.paused ? 'paused' : 'running');
  run.pump();
}

/** A network spec, paused before its first step, its starting numbers on show. */
function loadSpec(command: Extract<WorkerCommand, { type: 'loadSpec' }>): void {
  post({ type: 'state', state: 'loading', stepping: NO_STEPPING });
  const { spec, problems } = parseSpec(command.text);
  if (!spec) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new SpecError(`${command.name} cannot be loaded until its problems are fixed: ${first.message} (${formatPath(first.path)})${more}`);
  }
  const session = new SpecSession(buildSpecRun(spec));
  post({ type: 'loaded', source: command.name, train: session.run.rows, validation: 0, test: 0, engine: 'TypeScript kernels in float64, for exact numbers' });
  run = new Run(session, command.snapshotsPerSecond);
  run.setState('paused');
  run.snapshot(true);
}

function handle(command: WorkerCommand): void {
  if (command.type === 'start') return start(command);
  if (command.type === 'loadSpec') return loadSpec(command);
  if (command.type === 'measureMemory') return post({ type: 'memory', requestId: command.requestId, heapUsed: heapAfterCollection() });
  if (command.type === 'readDigit') {
    return post(run ? run.readDigit(command) : { type: 'digit', requestId: command.requestId, reading: null, problem: NO_NETWORK });
  }
  if (!run) return;
  switch (command.type) {
    case 'pause':
      if (run.state !== 'running') return;
      // Snapshots are rate-limited: show exactly where the run stopped.
      run.snapshot(true);
      return run.setState('paused');
    case 'resume':
      if (run.state !== 'paused' || run.source.divergence) return;
      run.setState('running');
      return run.pump();
    case 'stepForward':
    case 'stepBackward':
      return run.subStep();
    case 'applyUpdate':
      return run.applyUpdate();
    case 'requestMatrix': {
      const layer = run.source.network.layers[command.layer];
      const matrix = layer instanceof Linear
        ? { layer: command.layer, name: command.name, rows: layer.outFeatures, cols: command.name.endsWith('W') ? layer.inFeatures : 1, data: Float32Array.from(layer.matrix(command.name)) }
        : null;
      return post({ type: 'matrix', requestId: command.requestId, matrix });
    }
    case 'exportWeights':
      return post({ type: 'weights', requestId: command.requestId, layers: run.exportLayers() });
    case 'track':
      return run.track(command.digit);
    case 'confusionCell':
      return post({ type: 'confusionCell', requestId: command.requestId, cell: run.confusionCell(command.trueClass, command.predicted) });
  }
}

port.on('message', (raw: unknown) => {
  const command = parseWorkerCommand(raw);
  if (!command) {
    post({ type: 'error', kind: 'internal', message: `the engine dropped a malformed command: ${JSON.stringify(raw)?.slice(0, 200)}` });
    return;
  }
  try {
    handle(command);
  } catch (e) {
    const error = e as Error;
    if (e instanceof DataFileError) post({ type: 'error', kind: 'data', message: error.message, file: e.file });
    else if (e instanceof SpecError) post({ type: 'error', kind: 'spec', message: error.message });
    else post({ type: 'error', kind: 'internal', message: error.stack ?? String(e) });
  }
});
