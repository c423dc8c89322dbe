// Generated Python as an attack surface: every piece of user text goes through one escaping
// function (pythonText), tested here with hostile strings read back by real Python; a file named to
// break out of a docstring exports a module that runs nothing when imported; no exported module does
// anything on import but define its classes (checked under an audit hook); names Python or
// nn.Module treat specially are renamed, said in a note, and the module still builds and runs.
// The Python parts are skipped, saying why, when no Python with torch is at hand.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CliError } from '../../src/cli/cliError';
import { runExport } from '../../src/cli/export';
import type { Output } from '../../src/cli/output';
import { analyze } from '../../src/core/analysis/analyze';
import { exportPyTorchModule } from '../../src/export/pytorch';
import { commentText, docstring, pythonText, stringLiteral } from '../../src/export/pythonSyntax';
import { exampleFiles, examplesDir } from '../helpers/examples';
import { PYTHON, pythonMissing, torchMissing } from '../helpers/python';

/** Plain Python is enough to read literals back; the import checks need torch. */
const noPython = pythonMissing();
const noTorch = torchMissing();

const HOSTILE = [
  'plain',
  '"',
  '"""',
  'x""";__import__("os").system("touch PWNED");"""y',
  "'''; import os; '''",
  '\\',
  'ends with a backslash\\',
  '\\"""',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nthen code = 1',
  'nul\0byte',
  'line separator\u2028paragraph\u2029',
  'next line\u0085form feed\fvertical tab\v',
  'escape \x1b[31mred\x1b[0m and delete \x7f',
  'bidi \u202eevil\u202c and bom \ufeff zero width \u200b',
  'lone high \ud800 and lone low \udc00 surrogates',
  'astral 𝄞 and tag \u{e0001}',
  'unicode names: café 中文 Ελληνικά',
  '\\N{BULLET} and \\x41 and \\u0041 stay as written',
  '{braces} %s %(x)s',
  '# not a comment',
];

/** What a JS string is as Python sees it: surrogates travel as JSON \u escapes, so both sides compare alike. */
const asJson = (text: string) => JSON.stringify(text);

test('pythonText leaves no character that ends a line, a literal or hides text; ordinary text stays readable', () => {
  for (const text of HOSTILE) {
    const escaped = pythonText(text);
    assert.doesNotMatch(escaped, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u, `raw control or format character left in ${asJson(escaped)}`);
    // Every double quote is escaped: an odd run of backslashes before it.
    for (const match of escaped.matchAll(/(\\*)"/g)) assert.equal(match[1].length % 2, 1, `unescaped quote in ${escaped}`);
    assert.doesNotMatch(commentText(text), /\n|\r/);
  }
  assert.equal(pythonText('unicode names: café 中文'), 'unicode names: café 中文');
  assert.equal(pythonText('a\nb"c\\'), 'a\\nb\\"c\\\\');
  assert.equal(pythonText('\0\u2028\u{e0001}'), '\\x00\\u2028\\U000e0001');
});

test('Python reads every hostile string back exactly from a string literal and a docstring, and sees each comment as one comment', { skip: noPython }, () => {
  const random = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 300, seed: 20261130 });
  const cases = [...HOSTILE, ...random];
  const lines = ['import json, io, tokenize', 'values = []', 'docs = []'];
  cases.forEach((text, i) => {
    lines.push(commentText(text));
    lines.push(`def f${i}():`, docstring(text, '    '), `docs.append(f${i}.__doc__)`);
    lines.push(`values.append(${stringLiteral(text)})`);
  });
  lines.push(
    'comments = sum(1 for t in tokenize.generate_tokens(io.StringIO(open(__file__, encoding="utf-8").read()).readline) if t.type == tokenize.COMMENT)',
    'print(json.dumps({"values": values, "docs": docs, "comments": comments}))',
  );
  const dir = mkdtempSync(join(tmpdir(), 'resnet-pytext-'));
  const file = join(dir, 'cases.py');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = spawnSync(PYTHON, [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { values: string[]; docs: string[]; comments: number };
  assert.equal(result.comments, cases.length);
  cases.forEach((text, i) => {
    assert.equal(asJson(result.values[i]), asJson(text), `string literal ${i}`);
    // A docstring is wrapped at spaces: it reads back with its runs of spaces as single spaces or line breaks.
    assert.equal(
      asJson(result.docs[i].replace(/\n {4}/g, ' ')),
      asJson(
        text
          .split(/ +/)
          .filter((w, j, all) => w !== '' || j === 0 || j === all.length - 1)
          .join(' '),
      ),
      `docstring ${i}`,
    );
  });
});

function collector(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, print: (l) => stdout.push(l), error: (l) => stderr.push(l) };
}

function exportFile(file: string, out: string) {
  const output = collector();
  try {
    return { code: runExport(file, { out }, output), ...output };
  } catch (error) {
    if (error instanceof CliError) return { code: error.exitCode, ...output, stderr: [...output.stderr, error.message] };
    throw error;
  }
}

const NAMES = `block forward(width) {
  conv 3x3, width, pad 1
  bn, relu
  add
}

model __name__ {
  input 8x8x3, classes 3
  _modules   conv 3x3, 4, bn, relu
  __dict__   forward(4) x 2
  training   forward(4)
  print      avgpool, fc
}

model print {
  input 8x8x3, classes 3
  forward  conv 3x3, 4, bn, relu
  __class__ avgpool, fc
}
`;

interface Audit {
  readonly events: readonly [string, string][];
  readonly error: string | null;
  readonly odd_globals: readonly string[];
  readonly models: readonly string[];
}

function importAudited(dir: string, modules: readonly string[]): Record<string, Audit> {
  const run = spawnSync(PYTHON, [join(import.meta.dirname, 'import_audited.py'), ...modules], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, Audit>;
}

test('a file named to close the docstring exports a module that, imported by Python, runs nothing', { skip: noTorch, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-hostile-'));
  const names = [
    'x""";__import__("os").system("touch PWNED");"""y.resnet',
    "x''';__import__('os').system('touch PWNED');'''y.resnet",
    'x\n__import__("os").system("touch PWNED")\ny.resnet',
    'x\r__import__("os").system("touch PWNED")#\u2028.resnet',
  ];
  const modules = names.map((name, i) => {
    const source = join(dir, name);
    writeFileSync(source, readFileSync(join(examplesDir, 'mnist/resnet8.resnet')));
    const out = join(dir, `hostile${i}.py`);
    const r = exportFile(source, out);
    assert.equal(r.code, 0, r.stderr.join('\n'));
    return out;
  });
  const report = importAudited(dir, modules);
  for (const path of modules) {
    assert.equal(report[path].error, null, `${path}: ${report[path].error}`);
    assert.deepEqual(report[path].events, [], `${path} did more than define classes`);
    assert.deepEqual(report[path].models, ['resnet8']);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f === 'PWNED'),
    [],
  );
  assert.equal(existsSync(join(import.meta.dirname, 'PWNED')), false);
  // The header still names the file, escaped, on one line.
  assert.match(readFileSync(modules[2], 'utf8'), /^# PyTorch version of resnet8 from x\\n__import__\(\\"os\\"\)/);
});

test('names Python or nn.Module treat specially are renamed, with a note each; the module builds and runs', { skip: noTorch, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-names-'));
  const source = join(dir, 'names.resnet');
  writeFileSync(source, NAMES);
  const out = join(dir, 'names.py');
  const r = exportFile(source, out);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const notes = r.stderr.filter((l) => l.startsWith('note: '));
  assert.deepEqual(notes, [
    'note: the class for `__name__` is `name_` in the Python: Python gives names that start and end with __ a meaning of their own',
    'note: the class for `print` is `print_` in the Python: the generated module uses that name itself',
    'note: the layer or stage `_modules` is `modules_` in the Python: nn.Module keeps its own state in attributes that start with _',
    'note: the layer or stage `__dict__` is `dict_` in the Python: Python gives names that start and end with __ a meaning of their own',
    'note: the layer or stage `training` is `training_` in the Python: every nn.Module already has an attribute of that name',
    'note: the layer or stage `forward` is `forward_` in the Python: every nn.Module already has an attribute of that name',
    'note: the layer or stage `__class__` is `class_` in the Python: Python gives names that start and end with __ a meaning of their own',
  ]);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^MODELS: dict\[str, type\[nn\.Module\]\] = \{"__name__": name_, "print": print_\}$/m);
  const run = spawnSync(PYTHON, [out], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const analysis = analyze(NAMES);
  const params = (name: string) => analysis.models.find((m) => m.name === name)?.cost.params.toLocaleString('en-US');
  assert.equal(run.stdout, `__name__: ${params('__name__')} parameters, output (1, 3)\nprint: ${params('print')} parameters, output (1, 3)\n`);
});

test('no exported module does anything on import but define its classes (every example, the fixtures, hostile names)', { skip: noTorch, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-audit-'));
  const fixtures = join(import.meta.dirname, 'fixtures');
  const sources = [
    // Experiment examples declare templates and variants, no model: export has nothing of theirs to write.
    ...exampleFiles()
      .filter((f) => !f.startsWith('experiments/'))
      .map((f) => ({ label: f, text: readFileSync(join(examplesDir, f), 'utf8') })),
    ...readdirSync(fixtures)
      .filter((f) => f.endsWith('.resnet'))
      .map((f) => ({ label: `fixtures/${f}`, text: readFileSync(join(fixtures, f), 'utf8') })),
    { label: 'x"""\n\u2028\0.resnet', text: NAMES },
  ];
  const modules = sources.map(({ label, text }, i) => {
    const analysis = analyze(text);
    assert.ok(analysis.models.length > 0, label);
    const path = join(dir, `module${i}.py`);
    writeFileSync(path, exportPyTorchModule(analysis.models, label, { sourceText: text, command: `resnet-studio export ${label}` }).text);
    return path;
  });
  const report = importAudited(dir, modules);
  sources.forEach(({ label }, i) => {
    const audit = report[modules[i]];
    assert.equal(audit.error, null, `${label}: ${audit.error}`);
    assert.deepEqual(audit.events, [], `${label}: importing it did more than define classes`);
    assert.deepEqual(audit.odd_globals, [], `${label}: globals other than classes and functions`);
    assert.ok(audit.models.length > 0, label);
  });
});

test('the audit hook does see what a module with side effects does', { skip: noTorch, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-audit-control-'));
  const path = join(dir, 'noisy.py');
  writeFileSync(path, `import os, wave\nos.system("true")\nopen(${JSON.stringify(join(dir, 'written'))}, "w").close()\nCOUNT = 3\n`);
  const audit = importAudited(dir, [path])[path];
  const events = audit.events.map(([event]) => event);
  for (const event of ['import', 'os.system', 'open']) assert.ok(events.includes(event), `${event} not seen in ${events.join(', ')}`);
  assert.deepEqual(audit.odd_globals, ['COUNT = int']);
});
