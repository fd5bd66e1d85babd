import type { WebviewMessage } from '../engine/protocol';

/** Small view state kept across hide and show by VS Code. */
export interface ViewState {
  /** The unit selected in the layer graph for the inspector. */
  readonly selected?: { readonly layer: number; readonly unit: number };
}

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page. */
export const vscode: VsCodeApi = acquireVsCodeApi();
