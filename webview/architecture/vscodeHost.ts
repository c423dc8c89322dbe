// The architecture page's only way out: VS Code's webview API, typed with the architecture protocol.
import type { FromArchitecture } from '../../src/protocol/architecture';
import type { ArchitectureHost } from './architectureView';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

// Defined by VS Code in every webview (and by the test host); callable once per page.
declare function acquireVsCodeApi(): VsCodeApi;

export function connectToVsCode(): ArchitectureHost {
  const api = acquireVsCodeApi();
  return {
    post: (message: FromArchitecture) => api.postMessage(message),
    loadState: () => api.getState(),
    saveState: (state) => api.setState(state),
  };
}
