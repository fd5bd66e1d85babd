import type { PanelView } from './view';
import type { Phase } from '../engine/train/stepper';
import type { RunStatus, Snapshot } from '../engine/protocol';
import { element, fixed } from './dom';

const STATE_TEXT: Record<RunStatus['state'], string> = {
  idle: 'No run',
  loading: 'Loading the data and starting the engine…',
  running: 'Training',
  paused: 'Paused',
  finished: 'Finished',
};

function phaseText(phase: Phase, layers: Snapshot['layers']): string {
  switch (phase.kind) {
    case 'ready': return 'between steps: the next mini-batch is next';
    case 'forward': return `forward pass: layer ${phase.layer} (${layers[phase.layer].type}) computed`;
    case 'loss': return 'loss computed: the backward pass is next';
    case 'backward': return phase.layer === 0 ? 'backward pass done: Apply Update is next' : `backward pass: layer ${phase.layer} (${layers[phase.layer].type}) computed`;
  }
}

/** The run's state and its live numbers: epoch, step, loss, accuracy, speed. */
export class LiveNumbers implements PanelView {
  readonly region = 'top';
  readonly root = element('section', 'live');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly state = element('div', 'state');
  private readonly message = element('div', 'message');
  private readonly phase = element('div', 'phase');
  private readonly values = new Map<string, HTMLElement>();
  /** A network spec steps its one batch: epochs do not apply. */
  private spec = false;

  constructor() {
    this.state.id = 'run-state';
    this.message.id = 'run-message';
    this.message.setAttribute('role', 'status');
    this.phase.id = 'phase';
    const grid = element('dl', 'numbers');
    const fields: [string, string][] = [
      ['epoch', 'Epoch'], ['step', 'Step'], ['loss', 'Loss J'], ['dataLoss', 'Data loss'], ['penalty', 'Penalty'],
      ['batchAccuracy', 'Batch accuracy'], ['validationAccuracy', 'Validation accuracy'], ['samplesPerSecond', 'Samples/s'], ['testAccuracy', 'Test accuracy'],
    ];
    for (const [key, label] of fields) {
      const value = element('dd', undefined, '–');
      value.id = `value-${key}`;
      grid.append(element('dt', undefined, label), value);
      this.values.set(key, value);
    }
    this.root.append(this.state, this.message, grid, this.phase);
  }

  private set(key: string, text: string): void {
    this.values.get(key)!.textContent = text;
  }

  status(s: RunStatus): void {
    const source = s.source ? ` · ${s.source}` : '';
    this.state.textContent = `${STATE_TEXT[s.state]}${s.state === 'idle' ? '' : source}`;
    this.root.dataset.state = s.state;
    this.spec = s.spec !== null;
    // A divergence has a banner of its own (runWarnings.ts).
    this.message.textContent = s.divergence ? '' : s.message ?? '';
    const lastEpoch = s.epochs[s.epochs.length - 1];
    this.set('validationAccuracy', fixed(lastEpoch?.validationAccuracy));
    this.set('testAccuracy', fixed(s.final?.testAccuracy));
  }

  snapshot(s: Snapshot): void {
    this.set('epoch', this.spec ? '–' : `${s.epoch} / ${s.epochs}`);
    this.set('step', this.spec ? `${s.step} (batch of ${s.rows})` : `${s.step} (${s.step - (s.epoch - 1) * s.stepsPerEpoch} of ${s.stepsPerEpoch} this epoch)`);
    this.set('loss', fixed(s.loss));
    this.set('dataLoss', fixed(s.dataLoss));
    this.set('penalty', fixed(s.penalty));
    this.set('batchAccuracy', fixed(s.batchAccuracy, 2));
    this.set('samplesPerSecond', s.samplesPerSecond === null ? '–' : Math.round(s.samplesPerSecond).toLocaleString('en-US'));
    this.phase.textContent = phaseText(s.phase, s.layers);
  }
}
