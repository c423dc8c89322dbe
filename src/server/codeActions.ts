// Quick fixes for the diagnostics that carry a fix hint: a misspelt name becomes the name it was
// probably meant to be; a shortcut that cannot join its block switches to an option that can
// (A zero-pads, B projects), where that block's shortcut is chosen: the `add`, the call, or the model.
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { CodeActionKind, type CodeAction, type CodeActionParams, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { appendAll } from '../core/bounded';
import type { Diagnostic } from '../core/diagnostics';
import type { Arg, Item, Line, ModelDecl, ResnetFile, Setting, SourceRange, Statement } from '../core/language/ast';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspDiagnostic } from './diagnostics';
import { rangesOverlap, sameRange, toLspRange } from './ranges';

type Option = 'A' | 'B';

const optionTitles: Record<Option, 'quickFix.optionA' | 'quickFix.optionB'> = {
  A: 'quickFix.optionA',
  B: 'quickFix.optionB',
};

/** The same fix made to the model's own `shortcut` line, which every stage follows. */
const modelOptionTitles: Record<Option, 'quickFix.modelOptionA' | 'quickFix.modelOptionB'> = {
  A: 'quickFix.modelOptionA',
  B: 'quickFix.modelOptionB',
};

/** What `add` must say to get each option's shortcut. */
const addKinds: Record<Option, string> = { A: 'zeropad', B: 'projection' };

export function codeActions(analyzed: AnalyzedDocument, params: CodeActionParams, locale: Locale = 'en'): CodeAction[] {
  if (!wantsQuickFixes(params.context.only)) return [];
  const { document, analysis } = analyzed;
  const start = document.offsetAt(params.range.start);
  const end = document.offsetAt(params.range.end);
  const actions: CodeAction[] = [];
  for (const diagnostic of analysis.diagnostics) {
    if (!diagnostic.fix || !rangesOverlap(diagnostic.range, start, end)) continue;
    if (diagnostic.fix.kind === 'rename') {
      const edit = { range: toLspRange(document, diagnostic.range), newText: diagnostic.fix.to };
      actions.push(quickFix(document, diagnostic, format(locale, 'quickFix.rename', { name: diagnostic.fix.to }), edit, true, locale));
    } else {
      appendAll(actions, shortcutFixes(document, analysis.file, diagnostic, diagnostic.fix.options, locale));
    }
  }
  return actions;
}

function wantsQuickFixes(only: readonly string[] | undefined): boolean {
  return !only || only.some((kind) => kind === '' || kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`));
}

function quickFix(document: TextDocument, diagnostic: Diagnostic, title: string, edit: TextEdit, isPreferred: boolean, locale: Locale): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [toLspDiagnostic(document, diagnostic, locale)],
    isPreferred,
    edit: { changes: { [document.uri]: [edit] } },
  };
}

function shortcutFixes(document: TextDocument, file: ResnetFile, diagnostic: Diagnostic, options: readonly Option[], locale: Locale): CodeAction[] {
  const ranges = [diagnostic.range, ...(diagnostic.related ?? []).map((r) => r.range)];
  // B works wherever A does, and in more places: it comes first; a fix where the block is called
  // comes before the one that changes the whole model (and other stages with it).
  const ordered = (['B', 'A'] as const).filter((option) => options.includes(option));
  const actions: CodeAction[] = [];
  for (const editor of shortcutEditors(document, file, ranges)) {
    for (const option of ordered) {
      const change = editor.edit(option);
      if (change) actions.push(quickFix(document, diagnostic, editor.title(option, locale), change, actions.length === 0, locale));
    }
  }
  return actions;
}

interface ShortcutEditor {
  readonly title: (option: Option, locale: Locale) => string;
  /** The edit that chooses `option` there; undefined where it is chosen already. */
  readonly edit: (option: Option) => TextEdit | undefined;
}

/** Where the failing block's shortcut can be chosen, nearest first: the `add`, the call, then the model. */
function shortcutEditors(document: TextDocument, file: ResnetFile, ranges: readonly SourceRange[]): ShortcutEditor[] {
  const items = [...allItems(file)];
  const at = (range: SourceRange) => items.find((item) => sameRange(item.range, range));
  const replace = (range: SourceRange, text: string): TextEdit => ({ range: toLspRange(document, range), newText: text });
  const here = (option: Option, locale: Locale) => format(locale, optionTitles[option]);

  // `add identity` (or `projection`, `zeropad`) names its shortcut itself.
  const [failing] = ranges;
  const add = failing && at(failing);
  const addKind = add?.kind === 'add' ? add.args[0] : undefined;
  if (addKind?.name && !addKind.value && addKind.name.text !== 'shortcut') return [{ title: here, edit: (option) => replace(addKind.name?.range ?? addKind.range, addKinds[option]) }];

  // A call may override the model's option: `basic(32) x 2, stride 2, shortcut identity`.
  const calls = ranges.flatMap((range) => {
    const item = at(range);
    return item?.kind === 'call' ? [item] : [];
  });
  for (const call of calls) {
    const override = shortcutArg([...call.args, ...call.trailing]);
    if (override?.value) {
      const value = override.value.range;
      return [{ title: here, edit: (option) => replace(value, option) }];
    }
  }

  const editors: ShortcutEditor[] = [];
  // Else the call may take one: `, shortcut B` after it changes this call's blocks only.
  const [call] = calls;
  if (call) {
    const end = document.positionAt(call.range.endOffset);
    editors.push({ title: (option, locale) => format(locale, optionTitles[option]), edit: (option) => ({ range: { start: end, end }, newText: `, shortcut ${option}` }) });
  }
  const model = modelContaining(file, ranges);
  if (model) {
    editors.push({
      title: (option, locale) => format(locale, modelOptionTitles[option], { model: model.name.text }),
      edit: (option) => setModelShortcut(document, model, option),
    });
  }
  return editors;
}

function shortcutArg(args: readonly Arg[]): Arg | undefined {
  return args.find((a) => a.name?.text === 'shortcut');
}

function* allItems(file: ResnetFile): Generator<Item> {
  function* inLines(lines: readonly Line[]): Generator<Item> {
    for (const line of lines) {
      for (const item of line.items) {
        yield item;
        if (item.kind === 'add') yield* inLines(item.branch ?? []);
      }
    }
  }
  for (const top of file.items) {
    if (top.kind === 'let') continue;
    yield* inLines((top.body ?? []).filter((s: Statement): s is Line => s.kind === 'line'));
  }
}

/** The model (or template) written out in full that contains the first of `ranges` found in one. */
function modelContaining(file: ResnetFile, ranges: readonly SourceRange[]): ModelDecl | undefined {
  for (const range of ranges) {
    for (const item of file.items) {
      if (item.kind === 'model' && item.body && item.range.startOffset <= range.startOffset && range.endOffset <= item.range.endOffset) return item;
    }
  }
  return undefined;
}

/**
 * The edit that gives `model` the shortcut option: the value of its `shortcut` setting replaced, or
 * a `shortcut` line added under `input`. Undefined when the model already has that option.
 */
export function setModelShortcut(document: TextDocument, model: ModelDecl, option: Option): TextEdit | undefined {
  const body = model.body ?? [];
  const setting = (key: string) => body.find((s): s is Setting => s.kind === 'setting' && s.key.text === key);
  const shortcut = setting('shortcut');
  if (shortcut) {
    const args = shortcut.args;
    const [first] = args;
    const last = args.at(-1);
    if (first === undefined || last === undefined) {
      const at = document.positionAt(shortcut.key.range.endOffset);
      return { range: { start: at, end: at }, newText: ` ${option}` };
    }
    if (args.length === 1 && first.name?.text === option) return undefined;
    const range = { start: document.positionAt(first.range.startOffset), end: document.positionAt(last.range.endOffset) };
    return { range, newText: option };
  }
  // Without a setting the model uses B already.
  if (option === 'B') return undefined;
  const input = setting('input');
  if (!input) return undefined;
  const line = document.positionAt(input.range.startOffset).line;
  const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '  ';
  const nextLine = { line: line + 1, character: 0 };
  // Normally the setting goes on a line of its own under `input`; a model squeezed onto one line gets it after `input`.
  if (document.offsetAt(nextLine) <= model.range.endOffset - 1) return { range: { start: nextLine, end: nextLine }, newText: `${indent}shortcut ${option}\n` };
  const after = document.positionAt(input.range.endOffset);
  return { range: { start: after, end: after }, newText: `\n${indent}  shortcut ${option}` };
}
