// "ResNet: Download CIFAR-10": asks for a folder, then downloads, checks and extracts the data set
// there (training/data/download does the work) with its progress in a cancellable notification.
// Cancelling keeps the bytes received; running the command again on the same folder resumes them.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { formatBytes } from '../../core/report/numbers';
import { DatasetError } from '../../training/data/dataset';
import { DownloadCancelled, downloadCifar10, type DownloadProgress } from '../../training/data/download';

export const DOWNLOAD_CIFAR10_COMMAND = 'resnet.downloadCifar10';

/** Where each phase sits on the notification's bar: checking and downloading up to 90%, extracting after. */
const PHASE_SPAN: Record<DownloadProgress['phase'], readonly [number, number]> = { verify: [0, 90], download: [0, 90], extract: [90, 100] };
const PHASE_WORD: Record<DownloadProgress['phase'], string> = { verify: 'Checking', download: 'Downloading', extract: 'Extracting' };

export function registerDownloadCifar10(log: vscode.LogOutputChannel): vscode.Disposable {
  // Resolves to the folder to train from (the one holding cifar-10-batches-bin) once the data is ready there.
  return vscode.commands.registerCommand(DOWNLOAD_CIFAR10_COMMAND, async (): Promise<string | undefined> => {
    const workspaceFolder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: l10n.t('Download Here'),
      title: l10n.t('Download CIFAR-10 into which folder? (162 MB; it makes cifar-10-batches-bin there)'),
      ...(workspaceFolder ? { defaultUri: workspaceFolder.uri } : {}),
    });
    const dir = picked?.[0]?.fsPath;
    if (!dir) return undefined;
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'CIFAR-10', cancellable: true }, (progress, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => cancel.abort());
        let shown = 0;
        let lastReport = 0;
        return downloadCifar10(dir, {
          signal: cancel.signal,
          onProgress: (p) => {
            const [from, to] = PHASE_SPAN[p.phase];
            const percent = p.total ? from + ((to - from) * Math.min(p.bytes, p.total)) / p.total : from;
            // A notification redraws slowly: a few reports a second are plenty.
            if (Date.now() - lastReport < 200 && percent < 100) return;
            lastReport = Date.now();
            const of = p.total !== undefined ? ` of ${formatBytes(p.total)}` : '';
            progress.report({ message: `${PHASE_WORD[p.phase]}: ${formatBytes(p.bytes)}${of}`, increment: Math.max(0, percent - shown) });
            shown = Math.max(shown, percent);
          },
        });
      });
      // The log stays English (like every log line); the message is in the display language.
      const logged = result.how === 'ready' ? `CIFAR-10 is already in ${result.folder}.` : `CIFAR-10 is ready in ${result.folder}.`;
      log.info(`${logged}${result.resumedAt ? ` (resumed at ${formatBytes(result.resumedAt)})` : ''}`);
      void vscode.window.showInformationMessage(
        result.how === 'ready'
          ? l10n.t('CIFAR-10 is already in {0}. To train on it, pick "CIFAR-10 from a folder…" in "ResNet: Train Model" and choose {1}.', result.folder, dir)
          : l10n.t('CIFAR-10 is ready in {0}. To train on it, pick "CIFAR-10 from a folder…" in "ResNet: Train Model" and choose {1}.', result.folder, dir),
      );
      return dir;
    } catch (error) {
      if (!(error instanceof DatasetError)) throw error;
      log.warn(error.message);
      if (error instanceof DownloadCancelled) void vscode.window.showInformationMessage(error.message);
      else void vscode.window.showErrorMessage(error.message);
      return undefined;
    }
  });
}
