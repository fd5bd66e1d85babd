import type { PanelView } from './view';
import { ACTIVATIONS, configProblems, DEFAULT_CONFIG, type TrainingConfig } from '../engine/train/config';
import type { PanelSetting, PanelSettings } from '../engine/protocol';
import { vscode } from './vscode';
import { element } from './dom';

interface Field {
  readonly key: PanelSetting;
  readonly label: string;
  /** The training config field it checks against. */
  readonly field: keyof TrainingConfig;
}

const FIELDS: Field[] = [
  { key: 'hiddenLayers', label: 'Hidden layers', field: 'hidden' },
  { key: 'activation', label: 'Activation', field: 'activation' },
  { key: 'dropoutRate', label: 'Dropout rate', field: 'dropout' },
  { key: 'learningRate', label: 'Learning rate', field: 'learningRate' },
  { key: 'momentum', label: 'Momentum', field: 'momentum' },
  { key: 'l2Lambda', label: 'L2 lambda', field: 'lambda' },
  { key: 'batchSize', label: 'Mini-batch', field: 'batchSize' },
  { key: 'epochs', label: 'Epochs', field: 'epochs' },
  { key: 'seed', label: 'Seed', field: 'seed' },
];

/**
 * The hyperparameters of the next run (UI toolkit fields). A change is checked
 * with the engine's own rules and, if sound, written to the same settings the
 * settings editor writes; a wrong value is explained beside its field.
 */
export class Hyperparameters implements PanelView {
  readonly region = 'top';
  readonly root = element('details', 'hyperparameters');
  get node(): HTMLElement {
    return this.root;
  }
  private readonly inputs = new Map<PanelSetting, HTMLElement & { value: string }>();
  private readonly errors = new Map<PanelSetting, HTMLElement>();

  constructor() {
    this.root.append(element('summary', undefined, 'Hyperparameters of the next run'));
    const grid = element('div', 'fields');
    for (const f of FIELDS) {
      const input = (f.key === 'activation' ? this.dropdown() : element('vscode-text-field' as 'input')) as unknown as HTMLElement & { value: string };
      input.id = `setting-${f.key}`;
      input.setAttribute('aria-label', f.label);
      input.addEventListener('change', () => this.changed(f, input.value));
      const error = element('div', 'field-error');
      error.id = `setting-${f.key}-error`;
      grid.append(element('label', undefined, f.label), input, error);
      this.inputs.set(f.key, input);
      this.errors.set(f.key, error);
    }
    this.root.append(grid);
  }

  private dropdown(): HTMLElement {
    const dropdown = element('vscode-dropdown' as 'select');
    for (const a of ACTIVATIONS) dropdown.append(Object.assign(element('vscode-option' as 'option', undefined, a), { value: a }));
    return dropdown;
  }

  settings(values: PanelSettings): void {
    for (const f of FIELDS) {
      const v = values[f.key];
      const input = this.inputs.get(f.key)!;
      if (document.activeElement !== input) input.value = Array.isArray(v) ? v.join(',') : String(v);
    }
  }

  private changed(f: Field, text: string): void {
    const value: number | number[] | string =
      f.key === 'hiddenLayers' ? text.split(',').map((p) => Number(p.trim())) : f.key === 'activation' ? text : Number(text.trim());
    const problems = text.trim() === '' ? [{ field: f.field, message: 'needs a value' }] : configProblems({ ...DEFAULT_CONFIG, [f.field]: value });
    const problem = problems.find((p) => p.field === f.field);
    this.errors.get(f.key)!.textContent = problem ? problem.message : '';
    if (!problem) vscode.postMessage({ type: 'updateSetting', key: f.key, value });
  }
}
