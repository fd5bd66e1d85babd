/**
 * Backprop Lens in a real VS Code (code-server 4.139.1, VS Code 1.139.1), driven
 * as a person drives it: the command palette, the side panel, a bad setting.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, packageExtension, ROOT, startCodeServer, type CodeServer } from './codeServer';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** `npm run screenshots` sets this: the shots named for media/ are also written there, for the README and the walkthrough. */
const MEDIA = process.env.BACKPROP_LENS_MEDIA === '1' ? path.join(ROOT, 'media') : null;

let server: CodeServer;
let browser: Browser;
let page: Page;
let workspace: string;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium libkrb5-dev`);
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-lens-workspace-'));
  fs.mkdirSync(path.join(workspace, '.vscode'));
  // 10 epochs take 15 s on the SIMD kernels: long enough runs for every step of the test.
  // No welcome page or chat beside the editors: the screenshots show Backprop Lens.
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({
    'backpropLens.epochs': 200, 'workbench.startupEditor': 'none', 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true,
  }));
  fs.writeFileSync(path.join(workspace, 'README.md'), '# A workspace for the Backprop Lens test\n');
  // Any JSON file: opening it must not wake the extension.
  fs.writeFileSync(path.join(workspace, 'data.json'), '{ "values": [1, 2, 3] }\n');
  server = await startCodeServer(workspace, packageExtension());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  // The empty secondary side bar (Ctrl+Alt+B) would leave the walkthrough too narrow for its pictures.
  if (await page.locator('.part.auxiliarybar').isVisible()) await page.keyboard.press('Control+Alt+B');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
});

/**
 * Runs a command from the palette (F1), retrying while the extension is still
 * registering it, or while another quick input is still closing.
 */
async function palette(title: string): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill(`>${title}`, { timeout: 3000 });
      // The row of this very command, clicked: Enter would run whichever row the fuzzy match put first
      // (typing "Train MLP" can put "Export a Chart as SVG or PNG" first), and a key press could land in an editor.
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
      await row.click({ timeout: 2000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-palette-failed.png') });
        throw new Error(`the palette never offered "${title}": ${(e as Error).message}`);
      }
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Opens a workspace file with Quick Open, asking again while its file search has not
 * yet seen a file just written, then waits until it has closed: a key pressed while
 * it closes lands in the editor.
 */
async function quickOpen(file: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await until(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await input.fill(file);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 3000 });
    return true;
  }, `Quick Open to offer ${file}`);
  await input.press('Enter');
  await page.locator('.tab', { hasText: file }).waitFor();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** A screenshot of the workbench into test-artifacts/, and into media/ under `media` when `npm run screenshots` runs. */
async function shoot(name: string, media?: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  if (MEDIA && media) await page.screenshot({ path: path.join(MEDIA, `${media}.png`) });
}

/** The Running Extensions editor's line for Backprop Lens ('' while it is not running), on a page tall enough to list every extension. */
async function runningExtension(): Promise<string> {
  await page.setViewportSize({ width: 1400, height: 2400 });
  try {
    await palette('Developer: Show Running Extensions');
    const rows = page.locator('.runtime-extensions-editor .monaco-list-row');
    await rows.first().waitFor();
    await page.waitForTimeout(500);
    return (await rows.allTextContents()).find((row) => row.startsWith('Backprop Lens')) ?? '';
  } finally {
    await palette('View: Close Editor');
    await page.setViewportSize({ width: 1400, height: 900 });
  }
}

/** The Backprop Lens webview's own document, inside VS Code's two frames. */
function panel(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function text(selector: string): Promise<string> {
  return (await panel().locator(selector).textContent({ timeout: 30000 })) ?? '';
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(200);
  }
}

test('a JSON file does not wake the extension; a network spec does, as "MLP Network Spec", and activation takes under 50 ms (printed)', async () => {
  await quickOpen('data.json');
  // Give an activation on the JSON file time to happen, had it been asked for.
  await page.waitForTimeout(3000);
  assert.equal(await runningExtension(), '', 'Backprop Lens is not running after a JSON file was opened');
  // Activated once the workbench has settled: at start-up, every extension's activation waits on the others.
  fs.copyFileSync(path.join(ROOT, 'extension/examples/worked-example-3-2-2.mlp.json'), path.join(workspace, 'first.mlp.json'));
  await quickOpen('first.mlp.json');
  await page.locator('.statusbar-item', { hasText: 'MLP Network Spec' }).first().waitFor({ timeout: 10000 });
  await page.locator('.codelens-decoration a', { hasText: 'Step through this network' }).first().waitFor({ timeout: 30000 });
  const line = await runningExtension();
  const ms = Number(/Activation: (\d+)ms/.exec(line)?.[1]);
  console.log(`activation of the installed .vsix, as VS Code's Running Extensions shows it: ${ms} ms`);
  assert.ok(ms < 50, `activation took ${ms} ms: ${line}`);
  await palette('View: Close All Editors');
});

test('the view with nothing run says what it is for; its Open Example and Get Started open the examples and the four-step walkthrough, with pictures', async () => {
  await palette('Backprop Lens: Focus on Network View');
  await until(async () => (await text('.intro')).includes('Press Train'), 'the welcome');
  await panel().locator('#welcome-openExample').click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Worked example' }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Escape');

  await panel().locator('#welcome-getStarted').click();
  const steps = ['Train the homework network', 'Pause and step through a layer', 'Check the worked example by hand', 'Check your own backprop'];
  for (const title of steps) await page.getByText(title, { exact: true }).first().waitFor({ timeout: 20000 });
  await page.getByText('Check the worked example by hand', { exact: true }).first().click();
  // The step's picture comes from the installed package (through srcset: no src attribute).
  const picture = page.locator('.getting-started-media img').first();
  await until(async () => picture.evaluate((img: HTMLImageElement) => img.currentSrc.includes('worked-example.png') && img.naturalWidth > 0), 'the picture to load');
  await page.getByText('Train the homework network', { exact: true }).first().click();
  await shoot('workbench-walkthrough', 'walkthrough');
  await palette('View: Close All Editors');
});

test('Train MLP opens the panel, which shows live numbers; Pause, Step Forward and Stop work from the palette', async () => {
  await palette('Backprop Lens: Train MLP');
  await until(async () => (await text('#run-state')).startsWith('Training'), 'the panel to say Training');
  const stepOf = async (): Promise<number> => Number((await text('#value-step')).split(' ')[0]);
  await until(async () => (await stepOf()) > 0, 'a first step');
  const first = await stepOf();
  await until(async () => (await stepOf()) > first + 20, 'the step count to move on');
  // The same live run in a wide editor tab, for the screenshot; then back to the side panel alone.
  await palette('Backprop Lens: Open Panel in Editor');
  await page.waitForTimeout(3000);
  await shoot('workbench-training', 'panel-training');
  await palette('View: Close All Editors');
  assert.match(await text('#value-loss'), /^\d+\.\d{4}$/);
  assert.match(await text('#run-state'), /embedded MNIST/);
  const statusBar = page.locator('.statusbar-item', { hasText: /epoch \d+\/200 · step \d+ · loss/ });
  await statusBar.first().waitFor({ timeout: 10000 });

  // With the panel closed, training goes on and the status bar keeps counting.
  await palette('View: Show Explorer');
  const statusStep = async (): Promise<number> => Number(/step (\d+)/.exec((await statusBar.first().textContent()) ?? '')?.[1]);
  const hidden = await statusStep();
  await until(async () => (await statusStep()) > hidden + 20, 'steps while the panel is closed');
  await palette('Backprop Lens: Focus on Network View');
  await until(async () => (await stepOf()) > hidden + 20, 'the panel to catch up');

  await palette('Backprop Lens: Pause');
  await until(async () => (await text('#run-state')).startsWith('Paused'), 'Paused');
  await page.waitForTimeout(300); // the snapshot taken at the pause, through the host's throttle
  const paused = await stepOf();
  await page.waitForTimeout(1000);
  assert.equal(await stepOf(), paused, 'no steps while paused');

  await palette('Backprop Lens: Step Forward');
  await until(async () => (await text('#phase')).includes('forward pass: layer 0 (linear)'), 'the first layer forward');
  await palette('Backprop Lens: Step Forward');
  await until(async () => (await text('#phase')).includes('forward pass: layer 1 (relu)'), 'the second layer forward');

  await shoot('workbench-panel', 'step-through');

  // Hidden and shown again, and reloaded, the panel asks the host for the state and shows it as it was.
  await palette('View: Show Explorer');
  await panel().locator('#run-state').waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined);
  // While a webview reloads, an old and a new frame may both be there for a moment: wait until the one read shows it all.
  const asItWas = async (): Promise<boolean> =>
    (await text('#phase')).includes('forward pass: layer 1 (relu)') && (await stepOf()) === paused && /^Paused/.test(await text('#run-state'));
  await palette('Backprop Lens: Focus on Network View');
  await until(asItWas, 'the panel as it was, shown again');
  await palette('Developer: Reload Webviews');
  await until(asItWas, 'the panel as it was, after reloading the webview');

  await palette('Backprop Lens: Stop');
  await until(async () => (await text('#run-message')) === 'stopped', 'stopped');
  assert.match(await text('#run-state'), /^No run/);
  assert.equal(await stepOf(), paused, 'the last numbers stay on show');

  // The panel's hyperparameter fields write the user settings, as the settings editor does.
  await panel().locator('.hyperparameters summary').click();
  const epochs = panel().locator('#setting-epochs input');
  await epochs.fill('3');
  await epochs.press('Enter');
  await epochs.blur();
  const settingsFile = path.join(server.home, 'user-data', 'User', 'settings.json');
  await until(async () => fs.existsSync(settingsFile) && JSON.parse(fs.readFileSync(settingsFile, 'utf8'))['backpropLens.epochs'] === 3, 'the user setting backpropLens.epochs = 3');
});

test('a bad setting shows an error that names it and offers Open Settings; a second one is counted', async () => {
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'backpropLens.dropoutRate': 1, 'backpropLens.trainingThreads': 2 }));
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'backpropLens.dropoutRate' });
  try {
    // VS Code reads the changed settings file a moment later: a run that starts before it does is stopped and tried again.
    await until(async () => {
      await palette('Backprop Lens: Train MLP');
      try {
        await toast.first().waitFor({ timeout: 3000 });
        return true;
      } catch {
        if (!(await text('#run-state')).startsWith('No run')) await palette('Backprop Lens: Stop');
        return false;
      }
    }, 'the error notification', 60000);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-bad-setting-failed.png') });
    throw e;
  }
  const message = (await toast.first().textContent()) ?? '';
  assert.match(message, /Setting backpropLens\.dropoutRate: dropout rate must be in \[0, 1\), such as 0\.5, or 0 for none \(got 1\) \(and 1 more: see the output channel\)/);
  assert.match(message, /Open Settings/);
  await page.waitForTimeout(500);
  assert.match(await text('#run-state'), /^No run/, 'nothing started');
  await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-bad-setting.png') });
});

test('a network spec with a shape mismatch shows its problem on the right line; Open Example opens a built-in spec', async () => {
  const example = fs.readFileSync(path.join(ROOT, 'extension/examples/worked-example-3-2-2.mlp.json'), 'utf8');
  fs.writeFileSync(path.join(workspace, 'broken.mlp.json'), example.replace('{ "type": "linear", "in": 2, "out": 2,', '{ "type": "linear", "in": 3, "out": 2,'));
  await quickOpen('broken.mlp.json');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'layer 2 takes 3 inputs but layer 1 gives 2' });
  try {
    await until(async () => {
      await palette('View: Focus Problems (Errors, Warnings, Infos)');
      await problem.first().waitFor({ timeout: 5000 });
      return true;
    }, 'the problem in the Problems panel', 40000);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-spec-problem-failed.png') });
    throw e;
  }
  assert.equal(await page.locator('.tab.dirty', { hasText: 'broken.mlp.json' }).count(), 0, 'the spec was not edited by a stray key');
  assert.match((await problem.first().textContent())!, /\$\.layers\[2\]\.in.*\[Ln 6, Col/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-spec-problem.png') });

  await palette('Backprop Lens: Open Example');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Worked example' }).first().waitFor();
  await page.locator('.quick-input-widget input').press('Enter');
  await page.locator('.tab', { hasText: 'worked-example-3-2-2.mlp.json' }).waitFor({ timeout: 10000 });
});

test('the CodeLens "Step through this network" loads a spec into the panel, and refuses one with problems', async () => {
  // The worked example is open from the test before.
  const lens = (): Locator => page.locator('.codelens-decoration a', { hasText: 'Step through this network' });
  await page.locator('.tab', { hasText: 'worked-example-3-2-2.mlp.json' }).click();
  await lens().first().click({ timeout: 30000 });
  await until(async () => /^Paused · worked-example-3-2-2\.mlp\.json/.test(await text('#run-state')), 'the spec, paused, in the panel');
  assert.equal(await text('#step-through .step-title'), 'Ready: Step Forward computes layer 0 (linear, 3 → 2)');
  assert.equal(await text('#step-through .vector[data-key="input"] .vector-entries'), '(1.0000, 4.0000, 5.0000)');
  await panel().locator('#command-stepForward').click();
  await until(async () => (await text('#step-through .step-title')) === 'Forward: layer 0 (linear, 3 → 2)', 'Step Forward');
  assert.equal(await text('#step-through .vector[data-key="output"] .vector-entries'), '(4.3000, 5.3000)');
  await until(async () => (await panel().locator('#step-through .unit-formula .katex').count()) === 3, 'the unit\'s sum, typeset');
  await shoot('workbench-step-through', 'worked-example');

  await page.locator('.tab', { hasText: 'broken.mlp.json' }).click();
  await lens().first().click({ timeout: 30000 });
  await until(async () => /broken\.mlp\.json cannot be loaded until its problem is fixed\. Line 6: layer 2 takes 3 inputs/.test(await text('#run-message')), 'the refusal in the panel');
  assert.match(await text('#run-state'), /^Paused · worked-example/, 'the loaded spec stays');
  const notification = page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot be loaded' });
  assert.match((await notification.first().textContent({ timeout: 10000 }))!, /Show Problems/);
});

test('Check My Backprop on a homework with a transposed dW: the Check view with its hint, and the problem on the def line', async () => {
  const hw = path.join(workspace, 'hw');
  fs.mkdirSync(hw);
  const fixtures = path.join(ROOT, 'test/fixtures/check/csci567');
  for (const file of ['neural_networks.py', 'utils.py']) fs.copyFileSync(path.join(fixtures, file), path.join(hw, file));
  fs.copyFileSync(path.join(fixtures, 'mistake_transposed_dW.py'), path.join(hw, 'my_homework.py'));
  // Debian's python3 with NumPy: code-server has no Python extension to say which interpreter is selected.
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'backpropLens.pythonPath': '/usr/bin/python3' }));
  await quickOpen('my_homework.py');
  await page.locator('.codelens-decoration a', { hasText: 'Check against Backprop Lens' }).first().waitFor({ timeout: 30000 });

  await palette('Backprop Lens: Check My Backprop');
  await until(async () => (await text('#check-view .check-summary')) === 'my_homework.py (csci567): 16 passed, 1 failed, 2 skipped', 'the Check view', 60000);
  assert.equal(await text('#check-view .check-row.failed'), '✗ linear_layer.backward dW');
  assert.match(await text('#check-view .check-hint'), /^Hint: dW \(= X\.T @ grad, shaped like W\) is transposed: it should have shape \(6, 5\), not \(5, 6\)/);
  await panel().locator('#check-explain').click();
  await until(async () => (await panel().locator('#check-view .check-explain .katex').count()) === 2, 'the explained entry, typeset');

  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'linear_layer.backward dW' });
  await until(async () => {
    await palette('View: Focus Problems (Errors, Warnings, Infos)');
    await problem.first().waitFor({ timeout: 5000 });
    return true;
  }, 'the diagnostic in the Problems panel', 40000);
  assert.match((await problem.first().textContent())!, /is transposed.*\[Ln 6, Col 1\]/);
  await palette('Backprop Lens: Focus on Network View');
  await panel().locator('#check-view').scrollIntoViewIfNeeded();
  await shoot('workbench-check', 'check-view');
});

test('a spec deleted while it is stepped through: the steps go on, and Reset says the file is gone instead of failing', async () => {
  fs.copyFileSync(path.join(ROOT, 'extension/examples/worked-example-3-2-2.mlp.json'), path.join(workspace, 'doomed.mlp.json'));
  await quickOpen('doomed.mlp.json');
  await page.locator('.codelens-decoration a', { hasText: 'Step through this network' }).first().click({ timeout: 30000 });
  await until(async () => /^Paused · doomed\.mlp\.json/.test(await text('#run-state')), 'the spec, paused, in the panel');
  await palette('View: Close All Editors');
  fs.rmSync(path.join(workspace, 'doomed.mlp.json'));
  await palette('Backprop Lens: Step Forward');
  await until(async () => (await text('#step-through .step-title')) === 'Forward: layer 0 (linear, 3 → 2)', 'a step of the deleted spec');
  await palette('Backprop Lens: Reset');
  await until(async () => /^doomed\.mlp\.json cannot be read: was it deleted or moved\? Restore it, or open another network spec/.test(await text('#run-message')), 'the message in the panel');
  assert.match(await text('#run-state'), /^Paused · doomed\.mlp\.json/, 'what the panel showed stays');
  assert.equal(await text('#step-through .step-title'), 'Forward: layer 0 (linear, 3 → 2)');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'doomed.mlp.json cannot be read' });
  await toast.first().waitFor({ timeout: 10000 });
});

test('a learning rate of 1e30 diverges: the run stops at step 2 with a banner over the panel, the status bar and a notification say so', async () => {
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'backpropLens.learningRate': 1e30, 'backpropLens.momentum': 0.99 }));
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Training diverged' });
  // Train MLP is offered once the spec's session has ended. VS Code reads the changed
  // settings file a moment later: until it has, a run trains with the old rate.
  await palette('Backprop Lens: Stop');
  try {
    await until(async () => {
      await palette('Backprop Lens: Train MLP');
      try {
        await toast.first().waitFor({ timeout: 5000 });
        return true;
      } catch {
        await palette('Backprop Lens: Stop');
        return false;
      }
    }, 'the divergence', 60000);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-diverged-failed.png') });
    throw e;
  }
  assert.match((await toast.first().textContent())!, /Training diverged at step 2 \(epoch 1\): the first NaN appeared in the output of layer 3 \(linear\) in the forward pass\. Likely cause: the learning rate 1e\+30 is far too large/);
  await palette('Backprop Lens: Focus on Network View');
  await until(async () => (await text('#divergence')).startsWith('Training diverged at step 2, epoch 1'), 'the banner');
  assert.match(await text('#run-state'), /^Paused/);
  assert.equal(await panel().locator('#layer-graph rect.diverged-layer').count(), 1);
  await page.locator('.statusbar-item', { hasText: 'diverged at step 2' }).first().waitFor({ timeout: 10000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'workbench-diverged.png') });
});

test('the vanishing-gradients experiment from the palette pins both runs, pins survive a window reload, a digit drawn on the pad is read, and a run is pinned and exported as CSV from the palette', async () => {
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'backpropLens.epochs': 2, 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true }));
  // An experiment's runs take the place of any run, such as the diverged one above.
  await palette('Backprop Lens: Run an Experiment (Two Runs, Pinned)');
  const choice = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Vanishing gradients' });
  await choice.first().waitFor();
  await page.locator('.quick-input-widget input').press('Enter');
  await page.locator('.notifications-toasts .notification-toast', { hasText: 'both runs are pinned' }).first().waitFor({ timeout: 60000 });
  await palette('Backprop Lens: Focus on Network View');
  const pinned = (): Promise<string[]> => panel().locator('#pinned-runs li.pinned-run').allTextContents();
  await until(async () => (await pinned()).length === 2, 'two pinned runs');
  assert.match((await pinned())[0], /^1: sigmoid x5 vs relu x5/);
  assert.match((await pinned())[1], /^2: relu x5, lr 0\.01 \(same settings\)/);
  // Wide, in an editor tab: the host gives the new panel the current run's history, and the pins.
  await palette('Backprop Lens: Open Panel in Editor');
  await page.waitForTimeout(2000);
  // Both panels (the side one and the editor tab) scrolled to the comparison.
  for (const frame of page.frames()) await frame.locator('#pinned-runs').evaluate((e) => e.scrollIntoView({ block: 'start' })).catch(() => undefined);
  await page.waitForTimeout(500);
  await shoot('workbench-compare', 'compare-runs');
  await palette('View: Close All Editors');

  // Kept in the workspace state: a reloaded window draws them again.
  await palette('Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await palette('Backprop Lens: Focus on Network View');
  await palette('Backprop Lens: Train MLP');
  await until(async () => (await pinned()).length === 2, 'the pinned runs after the reload');

  // A trained network reads a digit drawn with the mouse: a 7.
  await until(async () => /^Finished/.test(await text('#run-state')), 'the run to finish', 90000);
  const pad = panel().locator('.digit-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (x: number, y: number): [number, number] => [box.x + (x * box.width) / 28, box.y + (y * box.height) / 28];
  await page.mouse.move(...at(7, 6));
  await page.mouse.down();
  for (const [x, y] of [[21, 6], [17, 13], [14, 18], [12, 23]]) await page.mouse.move(...at(x, y), { steps: 8 });
  await page.mouse.up();
  await until(async () => /^The network reads \d/.test(await text('#draw-digit [role="status"]')), 'the reading of the drawn digit');
  console.log(`drawn 7: ${await text('#draw-digit [role="status"]')}`);
  assert.equal(await panel().locator('#draw-digit g.probability').count(), 10);
  await panel().locator('#draw-digit svg[role="img"]').scrollIntoViewIfNeeded();
  await shoot('workbench-draw-digit', 'draw-digit');

  // The finished homework run pinned from the palette; the others are now named against it.
  await palette('Backprop Lens: Pin This Run for Comparison');
  await until(async () => (await pinned()).length === 3, 'a third pinned run');
  assert.match((await pinned())[0], /^1: sigmoid x5 vs relu 1000, dropout 0 vs 0\.5, batch 32 vs 5×$/);
  assert.match((await pinned())[2], /^3: relu 1000, lr 0\.01 \(same settings\)/);

  // Its histories as CSV, through the save dialog (code-server's own, a path in a quick input).
  await palette('Backprop Lens: Export Run Histories as CSV');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Pinned run 1' }).first().waitFor();
  await page.locator('.quick-input-widget input').fill('Pinned run 1');
  await page.locator('.quick-input-widget input').press('Enter');
  const saved = path.join(workspace, 'pinned-run-1-histories.csv');
  await until(async () => (await page.locator('.quick-input-widget input').inputValue()).endsWith('pinned-run-1-histories.csv'), 'the save dialog with its file name');
  await page.locator('.quick-input-widget input').press('Enter');
  await until(async () => fs.existsSync(saved), `${saved} to be written`);
  const [head, ...rows] = fs.readFileSync(saved, 'utf8').trim().split('\n');
  assert.equal(head, 'step,loss,validation accuracy,layer 0 linear ||dW||,layer 2 linear ||dW||,layer 4 linear ||dW||,layer 6 linear ||dW||,layer 8 linear ||dW||,layer 10 linear ||dW||');
  assert.equal(rows.filter((r) => r.split(',')[2] !== '').length, 2, 'the validation accuracy of both epochs');
});
