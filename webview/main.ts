/**
 * The Backprop Lens panel. It asks the host for the current state when it starts
 * (after a reload, or when the view is shown again), then draws what the host
 * streams. Everything it receives is checked first. Snapshots are drawn at most
 * once per animation frame, the newest one.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDropdown, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { parseHostMessage, type ChartId, type MatrixName, type RunStatus, type Snapshot, type WelcomeCommand } from '../engine/protocol';
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
import { CheckView } from './checkView';
import { RunWarnings } from './runWarnings';
import { DrawDigit } from './drawDigit';
import { ConfusionMatrix } from './confusionMatrix';
import { Misclassified } from './misclassified';
import { PinnedRuns } from './pinnedRuns';
import { chartFiles } from './exportChart';
import { EXPORT_EVENT } from './chart';
import type { PanelView } from './view';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeDropdown(), vsCodeOption());

const app = document.getElementById('app')!;
const intro = element('section', 'intro');
intro.append(
  element('h1', undefined, 'Backprop Lens'),
  element('p', undefined, 'Train a multi-layer perceptron on real MNIST digits and watch backpropagation work: activations, gradients and dropout masks, layer by layer.'),
  element('p', undefined, 'Press Train to start the homework network (784 → 1000 → 10), or Step Forward to walk through its first step one layer at a time.'),
  element('p', undefined, 'To check a hand calculation, open a network spec (Open Example below has three) and click "Step through this network" above it.'),
  element('p', undefined, 'Doing the homework? Open your neural_networks.py or layers.py and run Check My Backprop: it runs your layers and shows which entry of which gradient is wrong, and why.'),
  welcomeButtons({ openExample: 'Open Example', getStarted: 'Get Started' }),
);

/** The welcome's own buttons, below its text; Train and Step Forward are the controls'. */
function welcomeButtons(labels: Record<WelcomeCommand, string>): HTMLElement {
  const row = element('div', 'intro-actions');
  for (const [command, label] of Object.entries(labels) as [WelcomeCommand, string][]) {
    const button = element('vscode-button' as 'button', undefined, label);
    button.id = `welcome-${command}`;
    button.setAttribute('appearance', 'secondary');
    button.addEventListener('click', () => vscode.postMessage({ type: 'command', command }));
    row.append(button);
  }
  return row;
}
const controls = new Controls();
const hyperparameters = new Hyperparameters();
const requestMatrix = (layer: number, name: MatrixName): void => vscode.postMessage({ type: 'requestMatrix', layer, name });
const inspector = new Inspector(requestMatrix);
const graph: LayerGraph = new LayerGraph((layer, unit) => {
  inspector.select(layer, unit);
  stepThrough.select(layer, unit);
  vscode.setState({ ...vscode.getState(), selected: { layer, unit } });
}, (layer) => requestMatrix(layer, 'W'));
const stepThrough = new StepThrough(requestMatrix, (involved) => graph.involve(involved));

/** Every view, in the order they appear within their region. */
const views: PanelView[] = [
  controls, new RunWarnings(), hyperparameters, new CheckView(), new LiveNumbers(), stepThrough,
  graph, new PinnedRuns((m) => vscode.postMessage(m)), new GradientNorms(), new DropoutMasks(), new LearningCurves(), inspector,
  new DrawDigit({
    read: (id, pixels, saliencyFor) => vscode.postMessage({ type: 'readDigit', id, pixels, saliencyFor }),
    track: (digit) => vscode.postMessage({ type: 'track', digit }),
  }),
  new ConfusionMatrix((trueClass, predicted) => vscode.postMessage({ type: 'confusionCell', trueClass, predicted })),
  new Misclassified((digit) => vscode.postMessage({ type: 'track', digit })),
  new EpochTable(),
];

const regions = { top: element('div', 'top'), charts: element('div', 'charts'), bottom: element('div', 'bottom') };
for (const view of views) regions[view.region].append(view.node);
app.append(intro, regions.top, regions.charts, regions.bottom);

const selected = vscode.getState()?.selected;
if (selected) {
  graph.select(selected.layer, selected.unit);
  inspector.select(selected.layer, selected.unit);
  stepThrough.select(selected.layer, selected.unit);
}

function showStatus(status: RunStatus): void {
  const noRunYet = status.state === 'idle' && status.config === null && status.spec === null;
  intro.hidden = !noRunYet;
  regions.charts.hidden = noRunYet;
  for (const view of views) view.status?.(status);
}

let pending: Snapshot | null = null;
function drawSnapshot(): void {
  const s = pending!;
  pending = null;
  for (const view of views) view.snapshot?.(s);
}

function redrawAll(): void {
  document.querySelectorAll('#dropout-masks g.mask').forEach((g) => g.removeAttribute('data-layout'));
  for (const view of views) view.redraw?.();
}

/** Hands a message to every view (those without the method for it pass). */
function toViews(hand: (view: PanelView) => void): void {
  for (const view of views) hand(view);
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
      for (const view of views) view.record?.(message.snapshot);
      if (!pending) requestAnimationFrame(drawSnapshot);
      pending = message.snapshot;
      return;
    case 'matrix':
      return toViews((v) => v.matrix?.(message.matrix));
    case 'check':
      return toViews((v) => v.check?.(message.check));
    case 'digit':
      return toViews((v) => v.digit?.(message.digit));
    case 'confusionCell':
      return toViews((v) => v.confusionCell?.(message.cell));
    case 'pins':
      return toViews((v) => v.pins?.(message.pins));
    case 'history':
      return toViews((v) => v.history?.(message.record));
    case 'exportChart':
      return void exportChart(message.chart);
  }
});

/** Sends a chart to the host as SVG and PNG; the host asks which and where. */
async function exportChart(chart: ChartId): Promise<void> {
  const svg = document.querySelector<SVGSVGElement>(`#${chart} svg`);
  if (!svg) return;
  const files = await chartFiles(svg);
  vscode.postMessage({ type: 'exportChart', chart, ...files });
}
app.addEventListener(EXPORT_EVENT, (e) => void exportChart((e as CustomEvent<ChartId>).detail));

onThemeChange(redrawAll);
let resizeFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(redrawAll);
}).observe(app);

vscode.postMessage({ type: 'ready' });
