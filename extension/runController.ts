/**
 * The host side of a run: starts the engine's worker thread, relays commands to
 * it, and turns its events into status, throttled snapshots and results. No
 * `vscode` import, so that it is tested with a real worker under plain Node.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import {
  NO_STEPPING, parseWorkerEvent, RunRecorder, type RunRecord,
  type ChosenDigit, type ConfusionCell, type DataSource, type Divergence, type EpochResult, type ExportedLayer, type FinalResult, type Matrix, type MatrixName,
  type Reading, type RunStatus, type SaliencyFor, type Snapshot, type TrainingConfig, type WorkerCommand, type WorkerEvent,
} from '../engine';
import { LatestWins } from './throttle';

export interface RunListener {
  /** Any change of state, stepping, epochs or message. */
  status(status: RunStatus): void;
  /** At most `updatesPerSecond` a second, latest wins. */
  snapshot(snapshot: Snapshot): void;
  epoch(result: EpochResult, config: TrainingConfig): void;
  finished(result: FinalResult): void;
  /** A run that could not go on: bad data or a crashed engine. `file` names a bad data file. */
  failed(message: string, file?: string): void;
  /** A run that stopped, paused, at a step with a NaN or an infinity (the status has the details). */
  diverged(divergence: Divergence): void;
  log(line: string): void;
}

export interface StartOptions {
  readonly paused?: boolean;
  readonly updatesPerSecond: number;
  /** Threads of the linear layers' products: 1 (the default) or 2. */
  readonly threads?: number;
}

const IDLE: RunStatus = { state: 'idle', stepping: NO_STEPPING, config: null, spec: null, source: null, epochs: [], final: null, message: null, divergence: null };

/** What a run was started with, so that Reset can start it again. */
type StartCommand = Extract<WorkerCommand, { type: 'start' | 'loadSpec' }>;

export class RunController {
  private worker: Worker | null = null;
  private current: RunStatus = IDLE;
  private lastSnapshot: Snapshot | null = null;
  private readonly throttle: LatestWins<Snapshot>;
  private nextRequest = 1;
  private readonly requests = new Map<number, (event: WorkerEvent) => void>();
  private started: StartCommand | null = null;
  /** The training run's histories, for pinning and export; null for a network spec. */
  private recorder: RunRecorder | null = null;
  /** The digit the user chose to follow; every run is told, until it is unchosen. */
  private chosen: ChosenDigit | null = null;

  constructor(
    private readonly workerPath: string,
    private readonly listener: RunListener,
    private readonly resourceLimits?: ResourceLimits,
  ) {
    this.throttle = new LatestWins(100, (s) => listener.snapshot(s));
  }

  get status(): RunStatus {
    return this.current;
  }

  /** The newest snapshot, for a panel that (re)opens. */
  get snapshot(): Snapshot | null {
    return this.lastSnapshot;
  }

  get active(): boolean {
    return this.worker !== null;
  }

  /** Starts a new run, ending any other. */
  start(config: TrainingConfig, data: DataSource, options: StartOptions): void {
    this.launch({ type: 'start', config, data, paused: options.paused ?? false, snapshotsPerSecond: options.updatesPerSecond, threads: options.threads ?? 1 });
    this.listener.log(`run: ${JSON.stringify(config)} on ${data.kind === 'idx' ? data.folder : 'the embedded digits'}`);
  }

  /** Loads a network spec (its text; `name` for messages), paused before its first step; ends any other run. */
  loadSpec(text: string, name: string, options: StartOptions): void {
    this.launch({ type: 'loadSpec', text, name, snapshotsPerSecond: options.updatesPerSecond });
    this.listener.log(`network spec: ${name}`);
  }

  private launch(command: StartCommand): void {
    this.end();
    this.started = command;
    this.lastSnapshot = null;
    this.recorder = command.type === 'start' ? new RunRecorder(command.config) : null;
    this.throttle.setInterval(1000 / command.snapshotsPerSecond);
    this.update({ ...IDLE, state: 'loading', config: command.type === 'start' ? command.config : null, spec: command.type === 'loadSpec' ? command.name : null });
    // The engine is a plain bundle: none of the host's Node flags (a loader such as
    // tsx's costs a fifth of its speed) belong in its thread.
    const worker = new Worker(this.workerPath, { execArgv: [], resourceLimits: this.resourceLimits });
    this.worker = worker;
    worker.on('message', (raw) => this.receive(worker, raw));
    worker.on('error', (e) => this.crashed(worker, `the training engine crashed: ${e.message}`));
    worker.on('exit', (code) => this.crashed(worker, `the training engine stopped unexpectedly (exit code ${code})`));
    this.send(command);
    if (this.chosen) this.send({ type: 'track', digit: this.chosen });
  }

  /** The training run's histories so far; null without one (or for a network spec). */
  get record(): RunRecord | null {
    return this.recorder?.record() ?? null;
  }

  /** Follow a digit the user chose through the network, in this run and the next ones (null: the mini-batch's first example). */
  track(digit: ChosenDigit | null): void {
    this.chosen = digit;
    this.send({ type: 'track', digit });
  }

  /** Shows a message (such as why a spec cannot be loaded) without touching the run. */
  tell(message: string): void {
    this.update({ ...this.current, message });
  }

  /** Changes how many snapshots a second reach the listener, from now on. */
  setUpdatesPerSecond(perSecond: number): void {
    this.throttle.setInterval(1000 / perSecond);
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  stepForward(): void {
    this.send({ type: 'stepForward' });
  }

  stepBackward(): void {
    this.send({ type: 'stepBackward' });
  }

  applyUpdate(): void {
    this.send({ type: 'applyUpdate' });
  }

  /** Ends the run; its numbers stay on show. */
  stop(): void {
    if (!this.worker) return;
    this.end();
    this.update({ ...this.current, state: 'idle', stepping: NO_STEPPING, message: 'stopped' });
    this.showLastSnapshot();
    this.listener.log('run stopped');
  }

  /** The same run (or spec) again from its initial weights, paused before its first step. */
  reset(): void {
    if (this.started) this.launch(this.started.type === 'start' ? { ...this.started, paused: true } : this.started);
  }

  requestMatrix(layer: number, name: MatrixName): Promise<Matrix | null> {
    return this.request((requestId) => ({ type: 'requestMatrix', requestId, layer, name }), (e) => (e.type === 'matrix' ? e.matrix : null));
  }

  exportWeights(): Promise<ExportedLayer[] | null> {
    return this.request((requestId) => ({ type: 'exportWeights', requestId }), (e) => (e.type === 'weights' ? e.layers : null));
  }

  /** What the network makes of a drawn digit; null without a worker (no run since the window opened). */
  readDigit(pixels: Float32Array, saliencyFor: SaliencyFor): Promise<{ reading: Reading | null; problem: string | null } | null> {
    return this.request((requestId) => ({ type: 'readDigit', requestId, pixels, saliencyFor }), (e) => (e.type === 'digit' ? { reading: e.reading, problem: e.problem } : null));
  }

  /** Validation digits of one cell of the last confusion matrix; null before an epoch has ended. */
  confusionCell(trueClass: number, predicted: number): Promise<ConfusionCell | null> {
    return this.request((requestId) => ({ type: 'confusionCell', requestId, trueClass, predicted }), (e) => (e.type === 'confusionCell' ? e.cell : null));
  }

  /** Bytes of the engine thread's heap in use; null without a run. */
  measureMemory(): Promise<number | null> {
    return this.request((requestId) => ({ type: 'measureMemory', requestId }), (e) => (e.type === 'memory' ? e.heapUsed : null));
  }

  dispose(): void {
    this.end();
    this.throttle.dispose();
  }

  /** A command that the worker answers with an event carrying the same requestId; null once the run ends. */
  private request<T>(command: (requestId: number) => WorkerCommand, pick: (e: WorkerEvent) => T | null): Promise<T | null> {
    if (!this.worker) return Promise.resolve(null);
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.requests.set(requestId, (e) => resolve(pick(e)));
      this.send(command(requestId));
    });
  }

  private send(command: WorkerCommand): void {
    this.worker?.postMessage(command);
  }

  /** Terminates the worker without reporting it as a crash. */
  private end(): void {
    const worker = this.worker;
    this.worker = null;
    this.throttle.dispose();
    for (const answer of this.requests.values()) answer({ type: 'error', kind: 'internal', message: 'run ended' });
    this.requests.clear();
    if (worker) {
      worker.removeAllListeners();
      void worker.terminate();
    }
  }

  /** A run that ends shows its final numbers, not the last throttled ones. */
  private showLastSnapshot(): void {
    if (this.lastSnapshot) this.listener.snapshot(this.lastSnapshot);
  }

  private update(status: RunStatus): void {
    this.current = status;
    this.listener.status(status);
  }

  private crashed(worker: Worker, message: string): void {
    if (worker !== this.worker) return;
    this.end();
    this.update({ ...this.current, state: 'idle', stepping: NO_STEPPING, message });
    this.listener.failed(message);
  }

  private receive(worker: Worker, raw: unknown): void {
    if (worker !== this.worker) return;
    const event = parseWorkerEvent(raw);
    if (!event) {
      this.listener.log(`dropped a malformed message from the engine: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (event.type) {
      case 'state':
        return this.update({ ...this.current, state: event.state, stepping: event.stepping, message: this.current.divergence?.message ?? null });
      case 'diverged':
        this.update({ ...this.current, divergence: event.divergence, message: event.divergence.message });
        this.showLastSnapshot();
        return this.listener.diverged(event.divergence);
      case 'loaded':
        this.listener.log(`data: ${event.source}: ${event.train} train, ${event.validation} validation, ${event.test} test; engine: ${event.engine}`);
        return this.update({ ...this.current, source: event.source });
      case 'snapshot':
        this.lastSnapshot = event.snapshot;
        this.recorder?.snapshot(event.snapshot);
        return this.throttle.push(event.snapshot);
      case 'epoch':
        this.recorder?.epoch(event.result);
        this.update({ ...this.current, epochs: [...this.current.epochs, event.result] });
        return this.listener.epoch(event.result, this.current.config!);
      case 'finished':
        // The worker stays, idle, so that the trained weights can still be exported or inspected.
        this.throttle.dispose();
        this.update({ ...this.current, state: 'finished', stepping: NO_STEPPING, final: event.result });
        this.showLastSnapshot();
        return this.listener.finished(event.result);
      case 'matrix':
      case 'weights':
      case 'digit':
      case 'confusionCell':
      case 'memory': {
        const answer = this.requests.get(event.requestId);
        this.requests.delete(event.requestId);
        return answer?.(event);
      }
      case 'error':
        if (event.kind === 'data' || event.kind === 'spec') {
          this.end();
          this.update({ ...this.current, state: 'idle', stepping: NO_STEPPING, message: event.message });
          return this.listener.failed(event.message, event.file);
        }
        return this.listener.log(`engine: ${event.message}`);
    }
  }
}
