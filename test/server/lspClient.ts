// A real LSP client for tests and benchmarks: spawns the language server as a child process over
// stdio and speaks JSON-RPC to it, as an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type ShowMessageParams,
} from 'vscode-languageserver-protocol/node';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_ENTRY = 'src/server/main.ts';

export interface StartOptions {
  /** Sent as `initializationOptions`. */
  readonly initializationOptions?: unknown;
  /** Run this script instead of the TypeScript entry (e.g. a built `server.cjs`). */
  readonly serverScript?: string;
  /** Flags for the server's Node process. */
  readonly execArgv?: readonly string[];
  /** Sent as `initialize`'s `locale`, as VS Code sends its display language. */
  readonly locale?: string;
}

interface Waiter {
  readonly uri: string;
  readonly version: number | undefined;
  readonly resolve: (params: PublishDiagnosticsParams) => void;
}

export class LspTestClient {
  private readonly waiters: Waiter[] = [];
  private readonly versions = new Map<string, number>();
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** Every window/showMessage received, in order (what the editor would pop up). */
  readonly shown: ShowMessageParams[] = [];
  stderr = '';

  private constructor(
    readonly connection: ProtocolConnection,
    private readonly child: ChildProcess,
  ) {
    connection.onNotification('window/showMessage', (params: ShowMessageParams) => {
      this.shown.push(params);
    });
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === params.uri && (w.version === undefined || params.version === w.version)) {
          this.waiters.splice(i, 1);
          w.resolve(params);
        }
      }
    });
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    const entry = options.serverScript ? [options.serverScript] : ['--import', 'tsx', SERVER_ENTRY];
    const args = [...(options.execArgv ?? []), ...entry, '--stdio'];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspTestClient(connection, child);
    child.stderr.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.listen();
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      initializationOptions: options.initializationOptions,
      ...(options.locale === undefined ? {} : { locale: options.locale }),
      capabilities: {
        textDocument: {
          completion: { completionItem: { snippetSupport: true } },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'resnet', version: 1, text } });
    return published;
  }

  /** Replaces the whole text and waits for the diagnostics of the new version. */
  async change(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const published = this.nextDiagnostics(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return published;
  }

  /** The server's process id (benchmarks read its memory from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the server process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  nextDiagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } finally {
      this.connection.dispose();
      if (this.child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.child.kill();
            resolve();
          }, 2000);
          this.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
  }
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: readonly { range: { start: Pos; end: Pos }; newText: string }[]): string {
  const offsetAt = (p: Pos) => {
    let offset = 0;
    for (let line = 0; line < p.line; line++) {
      const next = text.indexOf('\n', offset);
      if (next < 0) return text.length;
      offset = next + 1;
    }
    return offset + p.character;
  };
  const sorted = [...edits].sort((a, b) => offsetAt(b.range.start) - offsetAt(a.range.start));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offsetAt(edit.range.start)) + edit.newText + result.slice(offsetAt(edit.range.end));
  return result;
}

interface Pos {
  readonly line: number;
  readonly character: number;
}

/** The position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0): Pos {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${JSON.stringify(needle)} is not in the text`);
  const before = text.slice(0, offset + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
