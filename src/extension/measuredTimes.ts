// The measured times the editor holds: the `resnet-studio profile --json` document last loaded for
// each .resnet file ("ResNet: Colour Architecture by Measured Time…"). The architecture view and
// the model summary both colour by them; a load tells the open summaries to recompute.
import * as vscode from 'vscode';
import type { ProfileDocument } from '../protocol/profile';

export class MeasuredTimes implements vscode.Disposable {
  private readonly bySource = new Map<string, ProfileDocument>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the source file's URI whose times were loaded. */
  readonly onDidChange = this.changed.event;

  set(sourceUri: string, times: ProfileDocument): void {
    this.bySource.set(sourceUri, times);
    this.changed.fire(sourceUri);
  }

  get(sourceUri: string): ProfileDocument | undefined {
    return this.bySource.get(sourceUri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
