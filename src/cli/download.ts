// `resnet-studio download cifar10 [--data-dir DIR]`: fetches the CIFAR-10 binary archive, checks its
// published MD5 and extracts it, with a progress bar on a terminal; the work is in training/data/download.
import { resolve } from 'node:path';
import { formatBytes, formatDuration } from '../core/report/numbers';
import { CIFAR10_URL } from '../training/data/cifar10';
import { DatasetError } from '../training/data/dataset';
import { CIFAR10_ARCHIVE, CIFAR10_MD5_ENV, CIFAR10_PARTIAL, CIFAR10_URL_ENV, downloadCifar10, type DownloadProgress } from '../training/data/download';
import { CliError } from './cliError';
import type { Output } from './output';

export const DEFAULT_DATA_DIR = 'data';

export const downloadHelp = `Usage: resnet-studio download cifar10 [--data-dir DIR]

Downloads the CIFAR-10 binary version (162 MB) from
${CIFAR10_URL},
checks it against its published MD5 and extracts it to DIR/cifar-10-batches-bin.
Then train with: resnet-studio train FILE --dataset cifar10 --data-dir DIR

Options:
  --data-dir DIR   where to put it (default: ./${DEFAULT_DATA_DIR}; created if missing)

An interrupted or cancelled (Ctrl+C) download is kept in DIR/${CIFAR10_PARTIAL}:
run the same command again and it resumes where it stopped. An archive already in DIR
(DIR/${CIFAR10_ARCHIVE}, copied by hand) is checked and extracted without the network.
Only the data set's files are extracted; an archive with a link or a path leading out
of DIR is refused.

Exit codes: 0 the data is ready; 1 the download or the archive failed (the message
says why and what to do); 2 the command line is wrong.

For tests and local mirrors: $${CIFAR10_URL_ENV} and $${CIFAR10_MD5_ENV}
replace the URL and the expected MD5.`;

type Terminal = { isTTY: boolean; write(text: string): void };

export async function runDownload(
  dataset: string | undefined,
  dataDir: string | undefined,
  out: Output,
  terminal: Terminal = { isTTY: Boolean(process.stderr.isTTY), write: (t: string) => void process.stderr.write(t) },
): Promise<number> {
  if (dataset?.toLowerCase().replace(/[-_]/g, '') !== 'cifar10') {
    throw new CliError(`download takes the data set cifar10${dataset ? `, not ${JSON.stringify(dataset)}` : ''} (MNIST is built in)\n\n${downloadHelp}`);
  }
  const dir = resolve(dataDir ?? DEFAULT_DATA_DIR);
  const bar = new DownloadBar(out, terminal);
  const cancel = new AbortController();
  const onInterrupt = (): void => cancel.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const result = await downloadCifar10(dir, { signal: cancel.signal, onProgress: (p) => bar.show(p) });
    bar.close();
    if (result.how === 'ready') out.print(`CIFAR-10 is already in ${result.folder}`);
    else out.print(`CIFAR-10 is ready in ${result.folder}${result.resumedAt ? ` (resumed at ${formatBytes(result.resumedAt)})` : ''}`);
    out.print(`train with: resnet-studio train FILE --dataset cifar10 --data-dir ${quote(dir)}`);
    return 0;
  } catch (error) {
    bar.close();
    if (error instanceof DatasetError) {
      out.error(`resnet-studio: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** One redrawn line on a terminal; elsewhere (logs, CI) a line at each tenth and at each phase. */
class DownloadBar {
  private phase: DownloadProgress['phase'] | undefined;
  private startedAt = Date.now();
  private startBytes = 0;
  private lastTenth = -1;
  private open = false;

  constructor(
    private readonly out: Output,
    private readonly terminal: Terminal,
  ) {}

  show(p: DownloadProgress): void {
    if (p.phase !== this.phase) {
      this.close();
      this.phase = p.phase;
      this.startedAt = Date.now();
      this.startBytes = p.bytes;
      this.lastTenth = -1;
    }
    const fraction = p.total ? Math.min(1, p.bytes / p.total) : undefined;
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0.5 ? (p.bytes - this.startBytes) / seconds : undefined;
    const parts = [LABELS[p.phase].padEnd(11), fraction !== undefined ? `${bar(fraction)} ${(fraction * 100).toFixed(0).padStart(3)}%` : '', formatBytes(p.bytes)];
    if (p.total !== undefined) parts.push(`of ${formatBytes(p.total)}`);
    if (rate !== undefined && p.phase === 'download') parts.push(`${formatBytes(rate)}/s`);
    if (rate && p.total !== undefined && p.phase === 'download') parts.push(`ETA ${formatDuration((p.total - p.bytes) / rate)}`);
    const text = parts.filter(Boolean).join('  ');
    if (this.terminal.isTTY) {
      this.terminal.write(`\r${text}\x1b[K`);
      this.open = true;
      return;
    }
    const tenth = fraction === undefined ? 0 : Math.floor(fraction * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.out.error(text);
    }
  }

  close(): void {
    if (this.open) this.terminal.write('\n');
    this.open = false;
  }
}

const LABELS: Record<DownloadProgress['phase'], string> = { download: 'downloading', verify: 'checking', extract: 'extracting' };

function bar(fraction: number): string {
  const width = 24;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function quote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : JSON.stringify(text);
}
