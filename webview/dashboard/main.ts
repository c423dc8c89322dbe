// The training dashboard's entry point (bundled to dist/webview/dashboard.js, with the style
// sheets it imports in dist/webview/dashboard.css).
import '@vscode-elements/elements/dist/vscode-button';
import '@vscode-elements/elements/dist/vscode-checkbox';
import '@vscode-elements/elements/dist/vscode-option';
import '@vscode-elements/elements/dist/vscode-single-select';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { Dashboard } from './dashboard';
import { connectToVsCode } from './vscodeHost';

const dashboard = new Dashboard(document.getElementById('dashboard') ?? document.body, connectToVsCode());
// Tests and the benchmark reach the charts through this; the page itself never reads it.
(globalThis as { resnetDashboard?: Dashboard }).resnetDashboard = dashboard;
