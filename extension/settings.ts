import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { autoThreads, configProblems, DEFAULT_CONFIG, PANEL_SETTINGS, type ActivationType, type DataSource, type PanelSetting, type PanelSettings, type TrainingConfig } from '../engine';

/** The setting behind each field of a training configuration, for messages that name it. */
export const SETTING_OF: Record<keyof TrainingConfig, string> = {
  hidden: 'backpropLens.hiddenLayers',
  activation: 'backpropLens.activation',
  dropout: 'backpropLens.dropoutRate',
  learningRate: 'backpropLens.learningRate',
  momentum: 'backpropLens.momentum',
  lambda: 'backpropLens.l2Lambda',
  l2Biases: 'backpropLens.l2Biases',
  batchSize: 'backpropLens.batchSize',
  epochs: 'backpropLens.epochs',
  seed: 'backpropLens.seed',
};

export const DATASET_SETTING = 'backpropLens.dataset';
export const UPDATES_SETTING = 'backpropLens.panelUpdatesPerSecond';

/** backpropLens.trainingThreads: "auto" picks by the machine's cores (see autoThreads). */
const THREADS_VALUES: readonly unknown[] = ['auto', '1', '2'];

export interface SettingProblem {
  readonly setting: string;
  readonly message: string;
}

export interface RunSettings {
  readonly config: TrainingConfig;
  readonly data: DataSource;
  readonly updatesPerSecond: number;
  /** Threads of the linear layers' products: 1 or 2, "auto" resolved for this machine. */
  readonly threads: number;
  /** Each wrong setting, named. */
  readonly problems: SettingProblem[];
  /** Things the user should know that do not stop the run. */
  readonly notes: string[];
}

/** Settings as they are now, checked. A value of the wrong type counts as a problem, not as the default. */
export function readSettings(): RunSettings {
  const s = vscode.workspace.getConfiguration('backpropLens');
  const problems: SettingProblem[] = [];
  const notes: string[] = [];
  /** The setting's value if `ok` takes it, else the fallback and a problem: what it takes, where that is more than a type. */
  const get = <T>(key: string, fallback: T, ok: (v: unknown) => boolean, takes?: string): T => {
    const value = s.get<unknown>(key, fallback);
    if (ok(value)) return value as T;
    problems.push({ setting: `backpropLens.${key}`, message: takes ? `takes ${takes} (got ${JSON.stringify(value)})` : `has the wrong type (${JSON.stringify(value)})` });
    return fallback;
  };
  const isNumber = (v: unknown): boolean => typeof v === 'number';
  const config: TrainingConfig = {
    hidden: get('hiddenLayers', DEFAULT_CONFIG.hidden, (v) => Array.isArray(v) && v.every(isNumber)),
    activation: get<ActivationType>('activation', DEFAULT_CONFIG.activation, (v) => typeof v === 'string'),
    dropout: get('dropoutRate', DEFAULT_CONFIG.dropout, isNumber),
    learningRate: get('learningRate', DEFAULT_CONFIG.learningRate, isNumber),
    momentum: get('momentum', DEFAULT_CONFIG.momentum, isNumber),
    lambda: get('l2Lambda', DEFAULT_CONFIG.lambda, isNumber),
    l2Biases: get('l2Biases', DEFAULT_CONFIG.l2Biases, (v) => typeof v === 'boolean'),
    batchSize: get('batchSize', DEFAULT_CONFIG.batchSize, isNumber),
    epochs: get('epochs', DEFAULT_CONFIG.epochs, isNumber),
    seed: get('seed', DEFAULT_CONFIG.seed, isNumber),
  };
  for (const p of configProblems(config)) problems.push({ setting: SETTING_OF[p.field], message: p.message });
  const updatesPerSecond = get('panelUpdatesPerSecond', 10, (v) => isNumber(v) && (v as number) >= 1 && (v as number) <= 60, 'a number from 1 to 60');
  const threadsSetting = get('trainingThreads', 'auto', (v) => THREADS_VALUES.includes(v), '"auto", "1" or "2"');
  const threads = threadsSetting === 'auto' ? autoThreads(os.availableParallelism()) : Number(threadsSetting);
  const dataset = get('dataset', 'embedded', (v) => typeof v === 'string').trim();
  let data: DataSource = { kind: 'embedded' };
  if (dataset !== '' && dataset !== 'embedded') {
    if (vscode.workspace.isTrusted) data = { kind: 'idx', folder: resolveFolder(dataset) };
    else notes.push(`The data folder "${dataset}" is ignored because this workspace is not trusted; training on the embedded digits. Trust the workspace to use it.`);
  }
  return { config, data, updatesPerSecond, threads, problems, notes };
}

/** "~/mnist" and paths relative to the first workspace folder, made absolute. */
function resolveFolder(setting: string): string {
  const expanded = setting.startsWith('~') ? path.join(os.homedir(), setting.slice(1)) : setting;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  return path.resolve(base, expanded);
}

/** The values the panel's form shows, as the settings hold them. */
export function panelSettings(): PanelSettings {
  const s = vscode.workspace.getConfiguration('backpropLens');
  return Object.fromEntries(PANEL_SETTINGS.map((key) => [key, s.get(key)])) as unknown as PanelSettings;
}

/** A change from the panel's form, written where the settings editor writes: the user's settings. */
export async function updateSetting(key: PanelSetting, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('backpropLens').update(key, value, vscode.ConfigurationTarget.Global);
}
