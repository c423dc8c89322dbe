// Just enough of the `vscode` module for the dashboard and architecture panels to run under Node, recording what
// it does. Loaded in place of 'vscode' by vscodeLoader.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
    readonly query = '',
  ) {}
  /** A virtual document's URI (e.g. the model summary's `resnet-summary:`). */
  static from(parts: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.path, parts.query ?? '');
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static parse(text: string): Uri {
    return new Uri('file', fileURLToPath(text));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return this.scheme === 'file' ? pathToFileURL(this.fsPath).href : `${this.scheme}:${encodeURI(this.fsPath)}?${encodeURIComponent(this.query)}`;
  }
}

export const ViewColumn = { Beside: -2, One: 1 } as const;
export const TextEditorRevealType = { InCenterIfOutsideViewport: 2 } as const;

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

/** Listeners of an event the tests fire themselves (diagnostics, selection, active editor). */
class FakeEvent<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const l of this.listeners) l(value);
  }
}
/** vscode.EventEmitter: listeners called in order. */
export class EventEmitter<T> {
  private readonly inner = new FakeEvent<T>();
  readonly event = this.inner.event;
  fire(value: T): void {
    this.inner.fire(value);
  }
  dispose(): void {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

/** A text editor over a text: its lines, and the decorations set on it by type. */
export class FakeTextEditor {
  readonly decorations = new Map<FakeDecorationType, { range: Range; hoverMessage?: unknown; renderOptions?: { after?: { contentText?: string } } }[]>();
  constructor(readonly document: { uri: Uri; lineCount: number; lineAt(line: number): { range: Range } }) {}
  static over(uri: Uri, text: string): FakeTextEditor {
    const lines = text.split('\n');
    return new FakeTextEditor({ uri, lineCount: lines.length, lineAt: (line) => ({ range: new Range(new Position(line, 0), new Position(line, lines[line]?.length ?? 0)) }) });
  }
  setDecorations(type: FakeDecorationType, options: { range: Range }[]): void {
    this.decorations.set(type, options);
  }
}

export class FakeDecorationType {
  disposed = false;
  constructor(readonly options: { backgroundColor?: string; isWholeLine?: boolean; after?: unknown }) {}
  dispose(): void {
    this.disposed = true;
  }
}

export const events = {
  diagnostics: new FakeEvent<{ uris: Uri[] }>(),
  selection: new FakeEvent<{ textEditor: { document: FakeDocument }; selections: { active: Position }[] }>(),
  activeEditor: new FakeEvent<{ document: FakeDocument } | undefined>(),
  configuration: new FakeEvent<{ affectsConfiguration(section: string): boolean }>(),
  visibleEditors: new FakeEvent<unknown>(),
  textDocumentChanged: new FakeEvent<{ document: { uri: Uri } }>(),
};

export const languages = {
  onDidChangeDiagnostics: events.diagnostics.event,
};
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const ProgressLocation = { Notification: 15 } as const;

export class FakeDocument {
  readonly languageId = 'resnet';
  constructor(readonly uri: Uri) {}
  getText(): string {
    return readFileSync(this.uri.fsPath, 'utf8');
  }
  validatePosition(position: Position): Position {
    return position;
  }
}

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown = '';
  name = '';
  command: unknown;
  visible = false;
  readonly texts: string[] = [];
  show(): void {
    this.visible = true;
    this.texts.push(this.text);
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

/** A notification shown with withProgress: its reports, and a way to press its Cancel. */
export class FakeProgress {
  readonly reports: { message?: string; increment?: number }[] = [];
  done = false;
  private cancelListeners: (() => void)[] = [];
  constructor(readonly title: string) {}
  cancel(): void {
    for (const l of this.cancelListeners) l();
  }
  token() {
    return { onCancellationRequested: (l: () => void) => void this.cancelListeners.push(l) };
  }
}

type Listener<T> = (value: T) => void;

export class FakeWebview {
  html = '';
  options: unknown;
  readonly cspSource = 'https://fake.vscode-cdn.net';
  readonly posted: unknown[] = [];
  private listeners: Listener<unknown>[] = [];
  asWebviewUri(uri: Uri): Uri {
    return uri;
  }
  postMessage(message: unknown): Promise<boolean> {
    // VS Code sends typed arrays as binary data and the rest as JSON: a structured clone is alike.
    this.posted.push(structuredClone(message));
    return Promise.resolve(true);
  }
  onDidReceiveMessage(listener: Listener<unknown>) {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }
  /** What the page would post. */
  receive(message: unknown): void {
    for (const l of this.listeners) l(message);
  }
}

export class FakePanel {
  readonly webview = new FakeWebview();
  revealed = 0;
  disposed = false;
  private disposeListeners: (() => void)[] = [];
  constructor(
    readonly viewType: string,
    readonly options: unknown,
  ) {
    this.webview.options = options;
  }
  reveal(): void {
    this.revealed++;
  }
  onDidDispose(listener: () => void) {
    this.disposeListeners.push(listener);
    return { dispose: () => undefined };
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of this.disposeListeners) l();
  }
}

export const recorded = {
  panels: [] as FakePanel[],
  commands: [] as { command: string; args: unknown[] }[],
  errors: [] as string[],
  warnings: [] as { message: string; detail?: string; actions?: string[] }[],
  infos: [] as { message: string; detail?: string; actions?: string[] }[],
  quickPicks: [] as { title?: string; labels: string[] }[],
  written: [] as { path: string; bytes: Uint8Array }[],
  statusBarItems: [] as FakeStatusBarItem[],
  progress: [] as FakeProgress[],
  registered: new Map<string, (...args: unknown[]) => unknown>(),
  serializers: [] as string[],
  /** The registered serializers by view type: a test restores a panel as a reload does. */
  serializerOf: new Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>(),
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): Promise<string>; onDidChange?: (l: (uri: Uri) => void) => unknown }>(),
  shownDocuments: [] as { path: string; selection?: Range }[],
  /** What the next save dialog answers. */
  saveTo: undefined as Uri | undefined,
  /** Answers to the next quick picks (the label to pick; undefined = Escape). */
  pickAnswers: [] as (string | undefined)[],
  /** Answers to the next modal messages (information or warning). */
  modalAnswers: [] as (string | undefined)[],
};

type Item = { label: string };
type MessageOptions = { modal?: boolean; detail?: string };
function message(list: { message: string; detail?: string; actions?: string[] }[], text: string, rest: unknown[]): Promise<string | undefined> {
  const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as MessageOptions) : undefined;
  list.push({ message: text, detail: options?.detail, actions: rest.filter((r): r is string => typeof r === 'string') });
  return Promise.resolve(options?.modal ? recorded.modalAnswers.shift() : undefined);
}

export const window = {
  createWebviewPanel(viewType: string, _title: string, _column: number, options: unknown): FakePanel {
    const panel = new FakePanel(viewType, options);
    recorded.panels.push(panel);
    return panel;
  },
  showErrorMessage(text: string): Promise<undefined> {
    recorded.errors.push(text);
    return Promise.resolve(undefined);
  },
  showWarningMessage: (text: string, ...rest: unknown[]) => message(recorded.warnings, text, rest),
  showInformationMessage: (text: string, ...rest: unknown[]) => message(recorded.infos, text, rest),
  showQuickPick<T extends Item>(items: readonly T[], options?: { title?: string }): Promise<T | undefined> {
    recorded.quickPicks.push({ title: options?.title, labels: items.map((i) => i.label) });
    const answer = recorded.pickAnswers.shift();
    return Promise.resolve(items.find((i) => i.label === answer));
  },
  showOpenDialog: () => Promise.resolve(undefined),
  createStatusBarItem(): FakeStatusBarItem {
    const item = new FakeStatusBarItem();
    recorded.statusBarItems.push(item);
    return item;
  },
  withProgress<R>(options: { title?: string }, task: (p: { report(v: object): void }, token: unknown) => Promise<R>): Promise<R> {
    const progress = new FakeProgress(options.title ?? '');
    recorded.progress.push(progress);
    return task({ report: (v) => void progress.reports.push(v) }, progress.token()).finally(() => {
      progress.done = true;
    });
  },
  registerWebviewPanelSerializer(viewType: string, serializer: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }) {
    recorded.serializers.push(viewType);
    recorded.serializerOf.set(viewType, serializer);
    return { dispose: () => undefined };
  },
  activeTextEditor: undefined as { document: FakeDocument } | undefined,
  visibleTextEditors: [] as { document: unknown }[],
  onDidChangeVisibleTextEditors: events.visibleEditors.event,
  createTextEditorDecorationType: (options: ConstructorParameters<typeof FakeDecorationType>[0]) => new FakeDecorationType(options),
  showSaveDialog(): Promise<Uri | undefined> {
    return Promise.resolve(recorded.saveTo);
  },
  onDidChangeTextEditorSelection: events.selection.event,
  onDidChangeActiveTextEditor: events.activeEditor.event,
  /** Takes a document or, as VS Code does, a Uri (the experiment's results.md). */
  showTextDocument(target: FakeDocument | Uri, options?: { selection?: Range }) {
    const document = target instanceof Uri ? new FakeDocument(target) : target;
    recorded.shownDocuments.push({ path: document.uri.fsPath, selection: options?.selection });
    return Promise.resolve({ document, revealRange: () => undefined });
  },
};

export const workspace = {
  isTrusted: true,
  settings: {} as Record<string, unknown>,
  workspaceFolders: [] as { uri: Uri }[],
  getConfiguration() {
    return { get: <T>(key: string, fallback: T): T => (key in workspace.settings ? (workspace.settings[key] as T) : fallback) };
  },
  /** Fired by a test after it changes `settings`: `events.configuration.fire({ affectsConfiguration })`. */
  onDidChangeConfiguration: events.configuration.event,
  openTextDocument: (uri: Uri) => Promise.resolve(new FakeDocument(uri)),
  textDocuments: [] as { uri: Uri }[],
  onDidChangeTextDocument: events.textDocumentChanged.event,
  registerTextDocumentContentProvider(scheme: string, provider: typeof recorded.contentProviders extends Map<string, infer P> ? P : never) {
    recorded.contentProviders.set(scheme, provider);
    return { dispose: () => recorded.contentProviders.delete(scheme) };
  },
  getWorkspaceFolder: () => undefined,
  fs: {
    writeFile(uri: Uri, bytes: Uint8Array): Promise<void> {
      recorded.written.push({ path: uri.fsPath, bytes });
      return Promise.resolve();
    },
  },
};

export const commands = {
  executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    const own = recorded.registered.get(command);
    if (own) return Promise.resolve(own(...args));
    recorded.commands.push({ command, args });
    return Promise.resolve(undefined);
  },
  registerCommand(command: string, run: (...args: unknown[]) => unknown) {
    recorded.registered.set(command, run);
    return { dispose: () => recorded.registered.delete(command) };
  },
};

/** vscode.l10n without a bundle, as VS Code runs in English: `{0}` (or `{name}` from an object) filled in. */
export const l10n = {
  bundle: undefined as Record<string, string> | undefined,
  t(message: string, ...args: unknown[]): string {
    const named = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? (args[0] as Record<string, unknown>) : undefined;
    return message.replace(/\{(\w+)\}/g, (whole, key: string) => {
      const value = named ? named[key] : args[Number(key)];
      return value === undefined ? whole : String(value);
    });
  },
};

/** The display language VS Code reports (`--locale`); English as VS Code starts by default. */
export const env = { language: 'en' };
