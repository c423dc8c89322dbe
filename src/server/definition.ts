// Go to definition: from a block call to the block, from an instance to its template, from a
// named argument to the parameter it sets, and from a name to its `let` or parameter.
import type { Location } from 'vscode-languageserver';
import type { BlockDecl, LetStatement, ModelDecl, Name, Statement, TopLevel } from '../core/language/ast';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';
import { syntaxAt, type SyntaxTarget } from './syntaxAt';

export function definition(analyzed: AnalyzedDocument, offset: number): Location | null {
  const { document, analysis } = analyzed;
  const declarations = analysis.file.items;
  const target = syntaxAt(analysis.file, offset);
  const found = declarationOf(target, {
    blocks: declarations.filter((d): d is BlockDecl => d.kind === 'block'),
    templates: declarations.filter((d): d is ModelDecl => d.kind === 'model' && d.params !== undefined),
    lets: lets(declarations),
  });
  return found ? { uri: document.uri, range: toLspRange(document, found.range) } : null;
}

interface Declarations {
  readonly blocks: readonly BlockDecl[];
  readonly templates: readonly ModelDecl[];
  readonly lets: readonly LetStatement[];
}

function declarationOf({ word, owner, experiment, item }: SyntaxTarget, declarations: Declarations): Name | undefined {
  if (!word) return undefined;
  const named = <T extends { name: Name }>(list: readonly T[], text: string | undefined) => list.find((d) => d.name.text === text);
  switch (word.role) {
    case 'callee':
      return named(declarations.blocks, word.name.text)?.name;
    case 'template':
      return named(declarations.templates, word.name.text)?.name;
    case 'argument': {
      // `n` in `cifar_resnet(n = 3)`, `width` in `my_block(width = 64)`: the parameter it sets.
      const callee = item?.kind === 'call' ? named(declarations.blocks, item.callee.text) : owner?.kind === 'model' ? named(declarations.templates, owner.instanceOf?.template.text) : undefined;
      return named(callee?.params ?? [], word.name.text)?.name;
    }
    case 'reference':
      return (
        named(owner?.params ?? [], word.name.text)?.name ??
        named(lets(owner?.body ?? []), word.name.text)?.name ??
        named(lets(experiment?.body ?? []), word.name.text)?.name ??
        named(declarations.lets, word.name.text)?.name
      );
    default:
      return undefined;
  }
}

function lets(statements: readonly (Statement | TopLevel)[]): LetStatement[] {
  return statements.filter((s): s is LetStatement => s.kind === 'let');
}
