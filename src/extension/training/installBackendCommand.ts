// "ResNet: Install Training Backend": installs tfjs-node-gpu or tfjs-node into the extension's
// storage (where the training worker looks for them), with a progress notification; every failure
// is turned into a message that says what is missing and how to get it.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { installNativeBackend, type NativeBackend } from '../../training/tfjs/backendInstall';

export const INSTALL_BACKEND_COMMAND = 'resnet.installTrainingBackend';

export function registerInstallBackend(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(INSTALL_BACKEND_COMMAND, async () => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(l10n.t('Installing a training backend is disabled in Restricted Mode: it runs npm and downloads native code. Trust the workspace first.'));
      return;
    }
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'tfjs-node-gpu', description: l10n.t('NVIDIA GPU; needs CUDA 11.2 and cuDNN 8.1 (not CUDA 12)'), backend: 'tfjs-node-gpu' as NativeBackend },
        { label: 'tfjs-node', description: l10n.t('native CPU (libtensorflow); faster than WebAssembly'), backend: 'tfjs-node' as NativeBackend },
      ],
      { title: l10n.t('Install which TensorFlow.js backend? (both download libtensorflow while installing)') },
    );
    if (!picked) return;
    const dir = context.globalStorageUri.fsPath;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t('Installing {0}', picked.label), cancellable: false }, (progress) =>
      installNativeBackend(picked.backend, dir, (line) => {
        log.info(line);
        progress.report({ message: line.slice(0, 120) });
      }),
    );
    if (result.ok) {
      log.info(result.message);
      void vscode.window.showInformationMessage(result.message);
    } else {
      log.error(result.message);
      const choice = await vscode.window.showErrorMessage(result.message, l10n.t('Show Log'));
      if (choice) log.show(true);
    }
  });
}
