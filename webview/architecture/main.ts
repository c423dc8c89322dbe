// The architecture view's entry point (bundled to dist/webview/architecture.js, with its style
// sheet in dist/webview/architecture.css).
import './architecture.css';
import { ArchitectureView } from './architectureView';
import { connectToVsCode } from './vscodeHost';

const view = new ArchitectureView(document.getElementById('architecture') ?? document.body, connectToVsCode());
// Tests and the benchmark reach the view through this; the page itself never reads it.
(globalThis as { resnetArchitecture?: ArchitectureView }).resnetArchitecture = view;
