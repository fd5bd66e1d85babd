import type { WebviewMessage } from '../engine/protocol';

/** Small view state kept across hide and show by VS Code. */
export interface ViewState {
  readonly epochTableOpen?: boolean;
}

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page. */
export const vscode: VsCodeApi = acquireVsCodeApi();
