// "ResNet: Show Architecture" and "ResNet: Compare Architecture with…": the architecture view's
// webview panel. A thin adapter: it follows the active `.resnet` editor, asks the language server
// for the graph (or the comparison) when the diagnostics of that file change or the cursor enters
// another model, passes it to the page, and turns the page's requests (go to a line, save an
// export) into editor actions. One panel at a time, restored after a reload by its serializer.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { displayLocale } from './displayLanguage';
import type { ProfileDocument } from '../protocol/profile';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ARCHITECTURE_VIEW_TYPE, parseArchitectureState, parseFromArchitecture, type ArchitectureCompareParams, type FromArchitecture, type ToArchitecture } from '../protocol/architecture';
import { ArchitectureCompareRequest, ArchitectureGraphRequest } from '../protocol/languageServer';
import { describeDropped } from '../protocol/webview';
import { architectureHtml } from './architectureHtml';
import { describeFailure } from './failures';
import { webviewPage } from './webviewPage';

export interface ArchitectureDeps {
  readonly extensionUri: vscode.Uri;
  readonly client: LanguageClient;
  readonly log: vscode.LogOutputChannel;
}

/** After a settings change, the pause before the graph is asked for again (as the summary waits after an edit). */
const SETTINGS_REFRESH_DELAY_MS = 300;

/** The other side of a comparison, kept while the view is in diff mode (it follows edits too). */
export type CompareAgainst = ArchitectureCompareParams['against'];

export class ArchitecturePanel implements vscode.Disposable {
  private static current?: ArchitecturePanel | undefined;
  private uri: string | undefined;
  /** The model last drawn and the lines it spans: the cursor leaving them asks for another. */
  private drawn: { model: string; line: number; endLine: number } | undefined;
  private pinnedModel: string | undefined;
  private against: CompareAgainst | undefined;
  /** Measured times the view colours by (sent again when the page reloads). */
  private timings: ProfileDocument | undefined;
  /** A run's layer statistics the page colours by (sent again when the page reloads). */
  private layerStats: Extract<ToArchitecture, { type: 'layerStats' }> | undefined;
  private refreshing = false;
  private settingsTimer?: ReturnType<typeof setTimeout> | undefined;
  private refreshAgain = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(deps: ArchitectureDeps, target: { uri: string; model?: string }): ArchitecturePanel {
    let panel = ArchitecturePanel.current;
    if (panel) panel.panel.reveal(vscode.ViewColumn.Beside, true);
    else {
      const webviewPanel = vscode.window.createWebviewPanel(
        ARCHITECTURE_VIEW_TYPE,
        'ResNet Architecture',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(deps.extensionUri),
      );
      panel = ArchitecturePanel.current = new ArchitecturePanel(webviewPanel, deps);
    }
    panel.follow(target.uri, target.model, undefined);
    return panel;
  }

  /** Diff mode: the model against another version; edits to this file keep the comparison current. */
  static compare(deps: ArchitectureDeps, target: { uri: string; model?: string }, against: CompareAgainst): ArchitecturePanel {
    const panel = ArchitecturePanel.show(deps, target);
    panel.follow(target.uri, target.model, against);
    return panel;
  }

  /** Colours the view by measured time per layer, following the model the times are for. */
  static colourByTimes(deps: ArchitectureDeps, target: { uri: string }, timings: ProfileDocument): ArchitecturePanel {
    const panel = ArchitecturePanel.show(deps, { uri: target.uri, model: timings.model });
    panel.timings = timings;
    panel.post({ type: 'timings', timings });
    return panel;
  }

  /** Colours the view by a run's layer statistics (issue 24), following the model they are for; selects `path` when given. */
  static colourByLayerStats(deps: ArchitectureDeps, target: { uri: string }, stats: Extract<ToArchitecture, { type: 'layerStats' }>): ArchitecturePanel {
    const panel = ArchitecturePanel.show(deps, { uri: target.uri, model: stats.model });
    panel.layerStats = stats;
    panel.post(stats);
    return panel;
  }

  /** The language changed (resnet.language): the open page reloads in it and asks for its graph again. */
  static relocalize(): void {
    ArchitecturePanel.current?.render();
  }

  private render(): void {
    this.panel.webview.html = architectureHtml(webviewPage(this.panel.webview, this.deps.extensionUri, 'architecture'), displayLocale());
  }

  /** Takes over a panel VS Code restored after a reload; the page's saved state names the file it followed. */
  static restore(panel: vscode.WebviewPanel, state: unknown, deps: ArchitectureDeps): void {
    ArchitecturePanel.current?.dispose();
    panel.webview.options = webviewOptions(deps.extensionUri);
    const restored = (ArchitecturePanel.current = new ArchitecturePanel(panel, deps));
    const uri = parseArchitectureState(state)?.uri ?? activeResnetEditor()?.document.uri.toString();
    if (uri) restored.follow(uri, undefined, undefined);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: ArchitectureDeps,
  ) {
    const webview = panel.webview;
    this.render();
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseFromArchitecture(raw);
        if (!message) {
          deps.log.warn(`architecture view: dropped a malformed message from the page: ${describeDropped(raw)}`);
          return;
        }
        this.handle(message).catch((error: unknown) => {
          deps.log.error(`architecture view: ${message.type} failed: ${describeFailure(error)}`);
          void vscode.window.showErrorMessage(`Architecture view: ${describeFailure(error)}`);
        });
      }),
      panel.onDidDispose(() => this.dispose()),
      // The server publishes diagnostics once per analyzed version: the graph follows them.
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (this.uri && e.uris.some((u) => u.toString() === this.uri)) void this.refresh();
      }),
      // The batch size (or another figure's setting) changed: the graph is asked for again once the
      // language client has passed the new settings on (it does so on the same change).
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('resnet')) return;
        clearTimeout(this.settingsTimer);
        this.settingsTimer = setTimeout(() => void this.refresh(), SETTINGS_REFRESH_DELAY_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() !== this.uri) return;
        const [primary] = e.selections;
        if (primary) this.onCursor(primary.active);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor?.document.languageId !== 'resnet' || editor.document.uri.toString() === this.uri || this.against) return;
        this.follow(editor.document.uri.toString(), undefined, undefined);
      }),
    );
  }

  private follow(uri: string, model: string | undefined, against: CompareAgainst | undefined): void {
    this.uri = uri;
    this.pinnedModel = model;
    this.against = against;
    this.drawn = undefined;
    this.panel.title = `${against ? 'Compare' : 'Architecture'}: ${basename(vscode.Uri.parse(uri).path)}`;
    void this.refresh();
  }

  private onCursor(position: vscode.Position): void {
    const line = position.line + 1;
    this.post({ type: 'cursor', line, column: position.character + 1 });
    if (this.drawn && (line < this.drawn.line || line > this.drawn.endLine) && !this.against) {
      this.pinnedModel = undefined;
      void this.refresh();
    }
  }

  /** Asks the server for the graph and sends it; calls during a request are folded into one more. */
  private async refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        await this.sendGraph();
      } while (this.refreshAgain && !this.disposed);
    } finally {
      this.refreshing = false;
    }
  }

  private async sendGraph(): Promise<void> {
    const uri = this.uri;
    if (!uri) return this.post({ type: 'missing', message: 'Open a .resnet file to see its architecture.' });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
    const position = editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined;
    const params = { uri, ...(this.pinnedModel !== undefined ? { model: this.pinnedModel } : {}), ...(position ? { position } : {}) };
    const fileName = basename(vscode.Uri.parse(uri).path);
    if (this.against) {
      const result = await this.deps.client.sendRequest(ArchitectureCompareRequest, { ...params, against: this.against });
      if (result.kind === 'missing') return this.post({ type: 'missing', message: result.message });
      this.drawn = { model: result.graph.model, line: result.graph.line, endLine: result.graph.endLine };
      this.post({ type: 'diff', uri, fileName, graph: result.graph, diff: result.diff, oldLabel: result.oldLabel, newLabel: result.newLabel });
    } else {
      const result = await this.deps.client.sendRequest(ArchitectureGraphRequest, params);
      if (result.kind === 'missing') return this.post({ type: 'missing', message: result.message });
      this.drawn = { model: result.graph.model, line: result.graph.line, endLine: result.graph.endLine };
      this.post({ type: 'graph', uri, fileName, graph: result.graph, models: [...result.models] });
    }
    if (editor) this.post({ type: 'cursor', line: editor.selection.active.line + 1, column: editor.selection.active.character + 1 });
  }

  private async handle(message: FromArchitecture): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.refresh();
        if (this.timings) this.post({ type: 'timings', timings: this.timings });
        if (this.layerStats) this.post(this.layerStats);
        return;
      case 'reveal':
        await this.reveal(message.line, message.column);
        return;
      case 'followCursor':
        if (this.uri) this.follow(this.uri, undefined, undefined);
        return;
      case 'exportSvg':
        await this.save(message.fileName, Buffer.from(message.svg, 'utf8'), { 'SVG image': ['svg'] });
        return;
      case 'exportPng':
        await this.save(message.fileName, Buffer.from(message.dataUrl.slice(message.dataUrl.indexOf(',') + 1), 'base64'), { 'PNG image': ['png'] });
        return;
      case 'log':
        if (message.level === 'warn') this.deps.log.warn(message.message);
        else this.deps.log.info(message.message);
        return;
    }
  }

  /** A node was clicked: the cursor goes to its text, in the editor already showing the file. */
  private async reveal(line: number, column: number): Promise<void> {
    if (!this.uri) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(this.uri));
    const target = document.validatePosition(new vscode.Position(line - 1, column - 1));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, selection: new vscode.Range(target, target) });
    editor.revealRange(new vscode.Range(target, target), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async save(fileName: string, bytes: Uint8Array, filters: Record<string, string[]>): Promise<void> {
    // Only a plain name is taken from the page; where it goes is the person's choice.
    const name = basename(fileName).replace(/[^\w.-]+/g, '-') || 'architecture';
    const folder = this.uri ? vscode.Uri.joinPath(vscode.Uri.parse(this.uri), '..') : undefined;
    const target = await vscode.window.showSaveDialog({ ...(folder && { defaultUri: vscode.Uri.joinPath(folder, name) }), filters, title: `Save ${name}` });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.deps.log.info(`architecture view: saved ${target.fsPath}`);
  }

  private post(message: ToArchitecture): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.settingsTimer);
    if (ArchitecturePanel.current === this) ArchitecturePanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

export function activeResnetEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.languageId === 'resnet' ? editor : undefined;
}
