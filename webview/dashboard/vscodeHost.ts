// The page's only way out: VS Code's webview API, typed with the dashboard protocol.
import type { FromDashboard } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

// Defined by VS Code in every webview (and by the test host); callable once per page.
declare function acquireVsCodeApi(): VsCodeApi;

export interface DashboardHost {
  post(message: FromDashboard): void;
  /** What `save` stored before the page was last torn down (a reload, VS Code restarting). */
  loadState(): unknown;
  saveState(state: unknown): void;
}

export function connectToVsCode(): DashboardHost {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    loadState: () => api.getState(),
    saveState: (state) => api.setState(state),
  };
}
