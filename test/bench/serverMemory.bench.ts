// `node --import tsx test/bench/serverMemory.bench.ts [--server PATH] [--megabytes N]`: how much
// memory the language server holds for one huge document (default 5 MB, made of the examples
// repeated under new names), and how much of it is given back after didClose. Reads the server's
// resident memory (VmRSS) and its peak (VmHWM) from /proc, so it runs on Linux only. `--server`
// measures another build (e.g. an older dist/server.cjs); by default, the TypeScript entry.
import { readFileSync } from 'node:fs';
import { DidCloseTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { exampleFiles, readExample } from '../helpers/examples';
import { LspTestClient } from '../server/lspClient';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The examples, again and again, each copy's models and blocks renamed so that none clash. */
function hugeDocument(bytes: number): string {
  const sources = exampleFiles().map(readExample);
  const parts: string[] = [];
  let size = 0;
  for (let copy = 0; size < bytes; copy++) {
    for (const source of sources) {
      const names = [...source.matchAll(/\b(?:model|block)\s+([A-Za-z_]\w*)/g)].map((m) => m[1]);
      let text = source;
      for (const name of new Set(names)) text = text.replace(new RegExp(`\\b${name}\\b`, 'g'), `${name}_${copy}`);
      parts.push(text);
      size += text.length;
      if (size >= bytes) break;
    }
  }
  return parts.join('\n');
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;

async function main(): Promise<void> {
  const megabytes = Number(option('--megabytes') ?? 5);
  const client = await LspTestClient.start({ initializationOptions: { diagnosticsDelayMs: 0 }, serverScript: option('--server') });
  try {
    const pid = client.pid as number;
    const idle = memoryOf(pid);
    const text = hugeDocument(megabytes * 1e6);
    const uri = 'file:///bench/huge.resnet';
    const started = performance.now();
    const opened = await client.open(uri, text);
    const openMs = performance.now() - started;
    const afterOpen = memoryOf(pid);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    // Give the server time to collect; small edits to a small file keep it busy as an editor would.
    for (let i = 0; i < 20; i++) {
      await client.open(`file:///bench/small${i}.resnet`, readExample('cifar/resnet20.resnet'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const afterClose = memoryOf(pid);
    console.log(`server: ${option('--server') ?? 'src/server/main.ts (tsx)'}, Node ${process.version}`);
    console.log(
      `document: ${(text.length / 1e6).toFixed(1)} MB, ${text.split('\n').length.toLocaleString('en-US')} lines; diagnostics in ${(openMs / 1000).toFixed(1)} s: ${opened.diagnostics.length} (${opened.diagnostics
        .slice(0, 2)
        .map((d) => String(d.message).slice(0, 100))
        .join(' | ')})`,
    );
    console.log(`resident memory: idle ${mib(idle.rss)} · after open ${mib(afterOpen.rss)} (peak ${mib(afterOpen.peak)}) · 2 s after didClose ${mib(afterClose.rss)}`);
    console.log(`server alive: ${client.alive}`);
  } finally {
    await client.stop();
  }
}

await main();
