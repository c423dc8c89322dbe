// Starts the language server (dist/server.cjs, bundled beside the extension) over IPC and connects
// it to every `.resnet` document, saved or untitled.
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SERVER_NODE_FLAGS, SETTINGS_SECTION, type InitializationOptions } from '../protocol/languageServer';
import { languageSetting } from './displayLanguage';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.cjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'resnet' }],
    // Pushes the `resnet.*` settings to the server whenever they change.
    synchronize: { configurationSection: SETTINGS_SECTION },
    // The language setting before the server can ask for settings: the first diagnostics are already in it.
    initializationOptions: { settings: { language: languageSetting() } } satisfies InitializationOptions,
  };
  return new LanguageClient('resnet', 'ResNet Language Server', serverOptions, clientOptions);
}
