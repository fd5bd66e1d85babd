import type { PanelView } from './view';
import { PANEL_COMMANDS, type PanelCommand, type RunStatus } from '../engine/protocol';
import { vscode } from './vscode';
import { element } from './dom';

const LABELS: Record<PanelCommand, string> = {
  train: 'Train',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  stepForward: 'Step Forward',
  stepBackward: 'Step Backward',
  applyUpdate: 'Apply Update',
  reset: 'Reset',
};

/** Which buttons a run state offers; the same rules as the commands' enablement in package.json. */
function enabled(command: PanelCommand, s: RunStatus): boolean {
  const noRun = s.state === 'idle' || s.state === 'finished';
  switch (command) {
    case 'train': return noRun;
    case 'pause': return s.state === 'running';
    case 'resume': return s.state === 'paused' && !s.divergence;
    case 'stop': return s.state === 'running' || s.state === 'paused' || s.state === 'loading';
    case 'stepForward': return s.stepping.canStepForward || noRun;
    case 'stepBackward': return s.stepping.canStepBackward;
    case 'applyUpdate': return s.stepping.canApplyUpdate;
    case 'reset': return s.state !== 'loading';
  }
}

/** The panel's buttons (UI toolkit), each posting its command to the host. */
export class Controls implements PanelView {
  readonly region = 'top';
  readonly root = element('div', 'controls');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly buttons = new Map<PanelCommand, HTMLElement>();

  constructor() {
    this.root.setAttribute('role', 'toolbar');
    this.root.setAttribute('aria-label', 'Training controls');
    for (const command of PANEL_COMMANDS) {
      const button = element('vscode-button' as 'button', undefined, LABELS[command]);
      button.id = `command-${command}`;
      if (command !== 'train') button.setAttribute('appearance', 'secondary');
      button.addEventListener('click', () => {
        if (!button.hasAttribute('disabled')) vscode.postMessage({ type: 'command', command });
      });
      this.buttons.set(command, button);
      this.root.append(button);
    }
  }

  status(status: RunStatus): void {
    for (const [command, button] of this.buttons) button.toggleAttribute('disabled', !enabled(command, status));
  }
}
