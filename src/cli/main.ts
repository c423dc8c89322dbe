// The `resnet-studio` command line: check | stats | diff | export | profile | train | analyze | experiment | download | install-backend | lsp | demo.
import { at } from '../core/indexed';
import { format } from '../core/l10n/format';
import { localeFromEnvironment, type Locale } from '../core/l10n/locale';
import { parseArgs } from 'node:util';
import { analyzeHelp, runAnalyze, type AnalyzeOptions } from './analyze';
import { checkHelp, runCheck } from './check';
import { exportHelp, runExport, type ExportOptions } from './export';
import { profileHelp, runProfile, type ProfileOptions } from './profile';
import { CliError } from './cliError';
import { asksForJson, jsonFailure } from './jsonFailure';
import { diffHelp, runDiff, type DiffOptions } from './diff';
import { demoHelp, runDemo } from './demo';
import type { Output } from './output';
import { runStats, statsHelp } from './stats';
import { runTrain, trainHelp, type TrainOptions } from './train';
import { experimentHelp, runExperiment, type ExperimentOptions } from './experiment';
import { installBackendHelp, runInstallBackend } from './installBackend';
import { downloadHelp, runDownload } from './download';
import { startServer } from '../server/server';

export async function main(argv: readonly string[], output: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let out = output;
  /** The command, when it was asked for --json: a failure is then one JSON document too. */
  let jsonCommand: string | undefined;
  try {
    const chosen = chooseLocale(argv, env);
    const [command, ...rest] = chosen.args;
    if (asksForJson(command, rest)) jsonCommand = command;
    // --json output is the same in every language, a failure's "error" included: such a command speaks English.
    const locale = jsonCommand === undefined ? chosen.locale : 'en';
    out = { print: (line) => output.print(line), error: (line) => output.error(line), locale };
    switch (command) {
      case 'check': {
        const { values, positionals } = parse(rest, {}, checkHelp);
        if (values.help) return printHelp(out, format(locale, 'cli.check.help'));
        return runCheck(positionals, out);
      }
      case 'stats': {
        const { values, positionals } = parse(
          rest,
          { model: { type: 'string' }, input: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, convention: { type: 'string' }, 'memory-budget': { type: 'string' } },
          statsHelp,
        );
        if (values.help) return printHelp(out, statsHelp);
        if (positionals.length > 1) throw new CliError(`stats takes one file, got ${positionals.length}\n\n${statsHelp}`);
        return runStats(positionals[0], values as { model?: string; input?: string; batch?: string; json?: boolean; convention?: string; 'memory-budget'?: string }, out);
      }
      case 'diff': {
        const { values, positionals } = parse(
          rest,
          {
            model: { type: 'string' },
            'old-model': { type: 'string' },
            'new-model': { type: 'string' },
            input: { type: 'string' },
            batch: { type: 'string' },
            json: { type: 'boolean' },
          },
          diffHelp,
        );
        if (values.help) return printHelp(out, diffHelp);
        return runDiff(positionals, values as DiffOptions, out);
      }
      case 'export': {
        const { values, positionals } = parse(rest, { model: { type: 'string' }, format: { type: 'string' }, out: { type: 'string', short: 'o' } }, exportHelp);
        if (values.help) return printHelp(out, exportHelp);
        if (positionals.length > 1) throw new CliError(`export takes one file, got ${positionals.length}\n\n${exportHelp}`);
        return runExport(positionals[0], values as ExportOptions, out);
      }
      case 'profile': {
        const { values, positionals } = parse(
          rest,
          {
            model: { type: 'string' },
            engine: { type: 'string' },
            backend: { type: 'string' },
            batch: { type: 'string' },
            repeats: { type: 'string' },
            'time-limit': { type: 'string' },
            python: { type: 'string' },
            json: { type: 'boolean' },
          },
          profileHelp,
        );
        if (values.help) return printHelp(out, profileHelp);
        if (positionals.length > 1) throw new CliError(`profile takes one file, got ${positionals.length}\n\n${profileHelp}`);
        return await runProfile(positionals[0], values as ProfileOptions, out);
      }
      case 'train': {
        const { values, positionals } = parse(
          rest,
          {
            model: { type: 'string' },
            dataset: { type: 'string' },
            'data-dir': { type: 'string' },
            epochs: { type: 'string' },
            'max-steps': { type: 'string' },
            'batch-size': { type: 'string' },
            'memory-budget': { type: 'string' },
            backend: { type: 'string' },
            out: { type: 'string' },
            resume: { type: 'string' },
            seed: { type: 'string' },
            json: { type: 'boolean' },
            engine: { type: 'string' },
            python: { type: 'string' },
            'nproc-per-node': { type: 'string' },
            threads: { type: 'string' },
            nnodes: { type: 'string' },
            'rdzv-endpoint': { type: 'string' },
            device: { type: 'string' },
            precision: { type: 'string' },
            'channels-last': { type: 'boolean' },
            verbose: { type: 'boolean' },
          },
          trainHelp,
        );
        if (values.help) return printHelp(out, trainHelp);
        if (positionals.length > 1) throw new CliError(`train takes one file, got ${positionals.length}\n\n${trainHelp}`);
        return await runTrain(positionals[0], values as TrainOptions, out);
      }
      case 'analyze': {
        const { values, positionals } = parse(rest, { step: { type: 'string' }, csv: { type: 'string' }, json: { type: 'boolean' } }, analyzeHelp(locale));
        if (values.help) return printHelp(out, analyzeHelp(locale));
        return await runAnalyze(positionals, values as AnalyzeOptions, out);
      }
      case 'experiment': {
        const { values, positionals } = parse(
          rest,
          {
            name: { type: 'string' },
            dataset: { type: 'string' },
            'data-dir': { type: 'string' },
            'max-steps': { type: 'string' },
            epochs: { type: 'string' },
            parallel: { type: 'string' },
            threads: { type: 'string' },
            order: { type: 'string' },
            seed: { type: 'string' },
            backend: { type: 'string' },
            engine: { type: 'string' },
            python: { type: 'string' },
            out: { type: 'string' },
            resume: { type: 'string' },
            json: { type: 'boolean' },
          },
          experimentHelp,
        );
        if (values.help) return printHelp(out, experimentHelp);
        if (positionals.length > 1) throw new CliError(`experiment takes one file, got ${positionals.length}\n\n${experimentHelp}`);
        return await runExperiment(positionals[0], values as ExperimentOptions, out);
      }
      case 'download': {
        const { values, positionals } = parse(rest, { 'data-dir': { type: 'string' } }, downloadHelp);
        if (values.help) return printHelp(out, downloadHelp);
        if (positionals.length > 1) throw new CliError(`download takes one data set, got ${positionals.length}\n\n${downloadHelp}`);
        return await runDownload(positionals[0], (values as { 'data-dir'?: string })['data-dir'], out);
      }
      case 'install-backend': {
        const { values, positionals } = parse(rest, { dir: { type: 'string' } }, installBackendHelp);
        if (values.help) return printHelp(out, installBackendHelp);
        return await runInstallBackend(positionals[0], (values as { dir?: string }).dir, out);
      }
      case 'lsp': {
        if (rest.includes('--help') || rest.includes('-h')) return printHelp(out, lspHelp);
        if (!rest.includes('--stdio')) throw new CliError(`lsp speaks the Language Server Protocol over stdio: run \`resnet-studio lsp --stdio\`\n\n${lspHelp}`);
        startServer();
        // The server runs until the editor ends the connection; it exits the process itself.
        return await new Promise<number>(() => undefined);
      }
      case 'demo': {
        const { values, positionals } = parse(rest, {}, demoHelp);
        if (values.help) return printHelp(out, demoHelp);
        if (positionals.length > 0) throw new CliError(`demo takes no arguments, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}\n\n${demoHelp}`);
        return await runDemo(out);
      }
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return printHelp(out, format(locale, 'cli.help'));
      default:
        throw new CliError(`${format(locale, 'cli.unknownCommand', { command: JSON.stringify(command) })}\n\n${format(locale, 'cli.help')}`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      if (jsonCommand !== undefined) out.print(jsonFailure(jsonCommand, error));
      out.error(`resnet-studio: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

const lspHelp = `Usage: resnet-studio lsp --stdio

Runs the ResNet Studio language server over stdin/stdout, for any editor with an LSP client:
diagnostics, hover, inlay hints, code lens, quick fixes, completion, outline, go to definition,
formatting and folding for .resnet files. See the README for Neovim and VS Code set-ups.`;

/**
 * The language of messages: `--lang en|ko` anywhere on the command line (taken out before the
 * command reads its options), else the environment (LC_ALL, LC_MESSAGES, LANG) as POSIX tools do.
 */
function chooseLocale(argv: readonly string[], env: NodeJS.ProcessEnv): { locale: Locale; args: string[] } {
  let locale = localeFromEnvironment(env);
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = at(argv, i);
    const value = arg === '--lang' ? argv[++i] : arg.startsWith('--lang=') ? arg.slice('--lang='.length) : undefined;
    if (value === undefined && arg !== '--lang') {
      args.push(arg);
      continue;
    }
    if (value !== 'en' && value !== 'ko') throw new CliError(format(locale, 'cli.badLang', { value: value === undefined ? '(nothing)' : JSON.stringify(value) }));
    locale = value;
  }
  return { locale, args };
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parse(args: readonly string[], options: OptionSpec, commandHelp: string) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${commandHelp}`);
  }
}

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs takes a value that starts with a dash for a forgotten
 * value ("argument is ambiguous"); a negative number is a value, to be refused by the option itself
 * with a message that says what it takes.
 */
function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = at(args, i);
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function printHelp(out: Output, text: string): number {
  out.print(text);
  return 0;
}
