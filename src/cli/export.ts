// `resnet-studio export FILE --format pytorch`: a model (or every model of a file) as a standalone
// PyTorch module, on standard output or in a file.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { noModelNamedText } from '../core/report/modelChoice';
import { format as say, msg, render } from '../core/l10n/format';
import { grouped } from '../export/pythonSyntax';
import { exportPyTorchModule } from '../export/pytorch';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { readSource } from './readSource';

export const EXPORT_FORMATS = ['pytorch'] as const;

export const exportHelp = `Usage: resnet-studio export FILE [--model NAME] [--format pytorch] [-o OUT.py]

Writes models as code for another framework. pytorch: a standalone Python module that needs only
torch, with one nn.Module class per model and one per block, named as in the .resnet file; module
names are the .resnet paths (conv3_x.0.conv1) and every stage, block and layer cites its line.
Use it with \`from OUT import NAME; model = NAME()\`, or run \`python OUT.py\` to check it.
  --model NAME     only this model (default: every model of the file, in one module)
  --format NAME    pytorch (default; the only format so far)
  -o, --out FILE   write the module here (default: standard output)`;

export interface ExportOptions {
  readonly model?: string;
  readonly format?: string;
  readonly out?: string;
}

export function runExport(file: string | undefined, options: ExportOptions, out: Output): number {
  if (!file) throw new CliError(`export needs a file\n\n${exportHelp}`);
  const locale = out.locale ?? 'en';
  const format = options.format ?? 'pytorch';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CliError(`--format takes ${EXPORT_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  }
  const sourceText = readSource(file, locale);
  const analysis = analyze(sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    for (const d of errors) out.error(formatDiagnostic(file, d, out.locale));
    throw new CliError(errors.length === 1 ? say(locale, 'export.hasError', { file }) : say(locale, 'export.hasErrors', { file, count: errors.length }), 1);
  }
  let models = analysis.models;
  if (options.model !== undefined) {
    models = models.filter((m) => m.name === options.model);
    if (models.length === 0) {
      throw new CliError(render(locale, noModelNamedText(file, options.model, analysis.models)), 1);
    }
  }
  if (models.length === 0) throw new CliError(say(locale, 'export.noModel', { file }), 1);

  const command = ['resnet-studio export', basename(file), ...(options.model !== undefined ? ['--model', options.model] : []), '--format', format].join(' ');
  const module = exportPyTorchModule(models, file, { sourceText, command });
  // Names Python or nn.Module treat specially are renamed in the module; the user hears which.
  const notes = () => {
    for (const note of module.notes) out.error(`note: ${note}`);
  };
  if (options.out === undefined) {
    out.print(module.text.trimEnd());
    notes();
    return 0;
  }
  try {
    writeFileSync(options.out, module.text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? msg('term.writeFailed.noFolder')
        : code === 'EACCES' || code === 'EPERM'
          ? msg('term.writeFailed.denied')
          : code === 'EISDIR'
            ? msg('term.writeFailed.isFolder')
            : (error as Error).message;
    throw new CliError(say(locale, 'export.cannotWrite', { file: options.out, reason }));
  }
  const classes = models.map((m) => say(locale, 'export.class', { name: module.classNames.get(m.name) ?? m.name, params: grouped(m.cost.params) })).join(', ');
  out.error(say(locale, 'export.wrote', { file: options.out, classes }));
  notes();
  const moduleName = basename(options.out).replace(/\.py$/, '');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(moduleName) || !options.out.endsWith('.py')) {
    out.error(say(locale, 'export.notImportable', { file: basename(options.out), suggestion: moduleName.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_') }));
  }
  return 0;
}
