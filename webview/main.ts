/**
 * The Backprop Lens panel. It asks the host for the current state when it starts
 * (after a reload, or when the view is shown again), then draws what the host
 * streams. Everything it receives is checked first.
 */
import { provideVSCodeDesignSystem, vsCodeButton } from '@vscode/webview-ui-toolkit';
import { parseHostMessage, type RunStatus } from '../engine/protocol';
import { vscode } from './vscode';
import { element } from './dom';
import { Controls } from './controls';
import { LiveNumbers } from './liveNumbers';
import { EpochTable } from './epochTable';

provideVSCodeDesignSystem().register(vsCodeButton());

const app = document.getElementById('app')!;
const intro = element('section', 'intro');
intro.append(
  element('h1', undefined, 'Backprop Lens'),
  element('p', undefined, 'Train a multi-layer perceptron on real MNIST digits and watch backpropagation work: activations, gradients and dropout masks, layer by layer.'),
  element('p', undefined, 'Press Train to start the homework network (784 → 1000 → 10), or Step Forward to walk through its first step one layer at a time.'),
);
const controls = new Controls();
const numbers = new LiveNumbers();
const epochs = new EpochTable();
app.append(intro, controls.root, numbers.root, epochs.root);

function showStatus(status: RunStatus): void {
  intro.hidden = status.state !== 'idle' || status.config !== null;
  controls.update(status);
  numbers.status(status);
  epochs.status(status);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  if (message.type === 'status') showStatus(message.status);
  else if (message.type === 'snapshot') numbers.snapshot(message.snapshot);
});

vscode.postMessage({ type: 'ready' });
