/**
 * The Backprop Lens panel. It asks the host for the current state when it starts
 * (after a reload, or when the view is shown again), then draws what the host
 * streams. Everything it receives is checked first. Snapshots are drawn at most
 * once per animation frame, the newest one.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { parseHostMessage, type MatrixName, type RunStatus, type Snapshot } from '../engine/protocol';
import { vscode } from './vscode';
import { element } from './dom';
import { Controls } from './controls';
import { Hyperparameters } from './hyperparameters';
import { LiveNumbers } from './liveNumbers';
import { EpochTable } from './epochTable';
import { LayerGraph } from './layerGraph';
import { GradientNorms } from './gradientNorms';
import { DropoutMasks } from './dropoutMasks';
import { LearningCurves } from './learningCurves';
import { Inspector } from './inspector';
import { StepThrough } from './stepThrough';
import { onThemeChange } from './theme';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeDropdown(), vsCodeOption());

const app = document.getElementById('app')!;
const intro = element('section', 'intro');
intro.append(
  element('h1', undefined, 'Backprop Lens'),
  element('p', undefined, 'Train a multi-layer perceptron on real MNIST digits and watch backpropagation work: activations, gradients and dropout masks, layer by layer.'),
  element('p', undefined, 'Press Train to start the homework network (784 → 1000 → 10), or Step Forward to walk through its first step one layer at a time.'),
  element('p', undefined, 'To check a hand calculation, open a network spec (Backprop Lens: Open Example has three) and click "Step through this network" above it.'),
);
const controls = new Controls();
const hyperparameters = new Hyperparameters();
const numbers = new LiveNumbers();
const epochs = new EpochTable();
const requestMatrix = (layer: number, name: MatrixName): void => vscode.postMessage({ type: 'requestMatrix', layer, name });
const inspector = new Inspector(requestMatrix);
const graph: LayerGraph = new LayerGraph((layer, unit) => {
  inspector.select(layer, unit);
  stepThrough.select(layer, unit);
  vscode.setState({ ...vscode.getState(), selected: { layer, unit } });
}, (layer) => requestMatrix(layer, 'W'));
const stepThrough = new StepThrough(requestMatrix, (involved) => graph.involve(involved));
const norms = new GradientNorms();
const masks = new DropoutMasks();
const curves = new LearningCurves();
const charts = element('div', 'charts');
charts.append(graph.frame.root, norms.frame.root, masks.frame.root, curves.frame.root, inspector.frame.root);
app.append(intro, controls.root, hyperparameters.root, numbers.root, stepThrough.root, charts, epochs.root);

const selected = vscode.getState()?.selected;
if (selected) {
  graph.select(selected.layer, selected.unit);
  inspector.select(selected.layer, selected.unit);
  stepThrough.select(selected.layer, selected.unit);
}

function showStatus(status: RunStatus): void {
  const noRunYet = status.state === 'idle' && status.config === null && status.spec === null;
  intro.hidden = !noRunYet;
  charts.hidden = noRunYet;
  controls.update(status);
  numbers.status(status);
  epochs.status(status);
  masks.status(status);
  curves.status(status);
  stepThrough.status(status);
}

let pending: Snapshot | null = null;
function drawSnapshot(): void {
  const s = pending!;
  pending = null;
  numbers.snapshot(s);
  graph.snapshot(s);
  norms.snapshot();
  masks.snapshot();
  curves.snapshot();
  inspector.snapshot(s);
  stepThrough.snapshot(s);
}

function redrawAll(): void {
  document.querySelectorAll('#dropout-masks g.mask').forEach((g) => g.removeAttribute('data-layout'));
  for (const view of [graph, norms, masks, curves, inspector]) view.redraw();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  switch (message.type) {
    case 'status':
      return showStatus(message.status);
    case 'settings':
      return hyperparameters.settings(message.settings);
    case 'snapshot':
      // Histories take every snapshot; drawing takes the newest, once per frame.
      norms.record(message.snapshot);
      masks.record(message.snapshot);
      curves.record(message.snapshot);
      if (!pending) requestAnimationFrame(drawSnapshot);
      pending = message.snapshot;
      return;
    case 'matrix':
      graph.matrix(message.matrix);
      inspector.matrix(message.matrix);
      stepThrough.matrix(message.matrix);
      return;
  }
});

onThemeChange(redrawAll);
let resizeFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(redrawAll);
}).observe(app);

vscode.postMessage({ type: 'ready' });
