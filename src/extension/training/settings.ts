// The `resnet.training.*` settings.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { BACKEND_CHOICES, type BackendChoice } from '../../protocol/training';

export const SETTINGS = {
  runsFolder: 'resnet.training.runsFolder',
  backend: 'resnet.training.backend',
} as const;

/** The backend setting, 'auto' when it holds something else. */
export function backendSetting(): BackendChoice {
  const value = vscode.workspace.getConfiguration().get<string>(SETTINGS.backend, 'auto');
  return (BACKEND_CHOICES as readonly string[]).includes(value) ? (value as BackendChoice) : 'auto';
}

/**
 * The folder runs go in: the setting (default `runs`), relative to the workspace folder of
 * `near` (else the first workspace folder, else the folder of `near` itself). Undefined when
 * there is nothing to resolve it against.
 */
export function runsFolder(near?: vscode.Uri): string | undefined {
  const setting = vscode.workspace.getConfiguration('', near).get<string>(SETTINGS.runsFolder, 'runs').trim() || 'runs';
  if (isAbsolute(setting)) return setting;
  const folder = (near && vscode.workspace.getWorkspaceFolder(near)) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme === 'file') return join(folder.uri.fsPath, setting);
  if (near?.scheme === 'file') return join(near.fsPath, '..', setting);
  return undefined;
}
