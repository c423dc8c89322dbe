// The `resnet-studio` command line: check | stats | demo (and, as they land, train | lsp).
import { parseArgs } from 'node:util';
import { checkHelp, runCheck } from './check';
import { CliError } from './cliError';
import { runDemo } from './demo';
import { processOutput, type Output } from './output';
import { runStats, statsHelp } from './stats';

const help = `Usage: resnet-studio <command> [options]

Commands:
  check FILE...    report syntax, shape and shortcut errors and warnings
  stats FILE       per-layer shapes, parameters and MACs; totals; memory
  demo             analyze the paper's models from the bundled examples

Run resnet-studio <command> --help for a command's options.`;

export function main(argv: readonly string[], out: Output): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check': {
        const { values, positionals } = parse(rest, {}, checkHelp);
        if (values.help) return printHelp(out, checkHelp);
        return runCheck(positionals, out);
      }
      case 'stats': {
        const { values, positionals } = parse(
          rest,
          { model: { type: 'string' }, input: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' } },
          statsHelp,
        );
        if (values.help) return printHelp(out, statsHelp);
        if (positionals.length > 1) throw new CliError(`stats takes one file, got ${positionals.length}\n\n${statsHelp}`);
        return runStats(positionals[0], values as { model?: string; input?: string; batch?: string; json?: boolean }, out);
      }
      case 'demo':
        return runDemo(out);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return printHelp(out, help);
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}\n\n${help}`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      out.error(`resnet-studio: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: readonly string[], options: OptionSpec, commandHelp: string) {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${commandHelp}`);
  }
}

function printHelp(out: Output, text: string): number {
  out.print(text);
  return 0;
}

// Run when executed (the bundle, or tsx), not when imported by tests.
if (process.argv[1] && /(?:cli\.cjs|cli[\\/]main\.ts)$/.test(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2), processOutput);
}
