// The Chevrotain grammar of `.resnet`. It produces a concrete syntax tree; `syntaxTree.ts` turns
// that into the typed AST. Error recovery is on: a bad statement is reported and skipped, and
// parsing goes on, so one pass reports every syntax error in a file.
import { CstParser, type IToken, type TokenType } from 'chevrotain';
import { isFunctionName } from './functions';
import * as T from './tokens';

export class ResnetGrammar extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 4, nodeLocationTracking: 'full' });
    this.performSelfAnalysis();
  }

  /** A layer keyword, `add`, or `name(` starts a new item on a line. */
  private isItemStart(k: number): boolean {
    const t = this.LA(k).tokenType;
    if (t === T.Add || t === T.Gate || t === T.Split || isLayerKeyword(t)) return true;
    return t === T.Identifier && this.LA(k + 1).tokenType === T.LParen && !isFunctionName(this.LA(k).image);
  }

  /** A line is items, optionally after a label; anything else starting with a name is a setting. */
  private isLineStart(): boolean {
    if (this.isItemStart(1)) return true;
    if (this.LA(1).tokenType !== T.Identifier) return false;
    const next = this.LA(2).tokenType === T.Colon ? 3 : 2;
    return this.isItemStart(next);
  }

  private isArgStart(k: number): boolean {
    const t = this.LA(k).tokenType;
    if (t === T.NumberLiteral || t === T.LParen || t === T.Minus) return true;
    return t === T.Identifier && (this.LA(k + 1).tokenType !== T.LParen || isFunctionName(this.LA(k).image));
  }

  public file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.SUBRULE(this.modelDecl, { LABEL: 'top' }) },
        { ALT: () => this.SUBRULE(this.blockDecl, { LABEL: 'top' }) },
        { ALT: () => this.SUBRULE(this.experimentDecl, { LABEL: 'top' }) },
        { ALT: () => this.SUBRULE(this.letStatement, { LABEL: 'top' }) },
      ]);
    });
  });

  private modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.CONSUME2(T.Identifier, { LABEL: 'template' });
          this.SUBRULE(this.parenArgs);
        },
      },
      { ALT: () => this.SUBRULE(this.body) },
    ]);
  });

  private blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.SUBRULE(this.body);
  });

  /**
   * `experiment fig6 { grid cifar_plain(n = 3, 5) … }`: its body reads like a model's (lines,
   * settings, `train { … }`); the analysis gives `grid`, `models` and `seeds` their meaning.
   */
  private experimentDecl = this.RULE('experimentDecl', () => {
    this.CONSUME(T.Experiment);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.SUBRULE(this.body);
  });

  private paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  private param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expr);
    });
  });

  private body = this.RULE('body', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.CONSUME(T.Newline) },
          { ALT: () => this.SUBRULE(this.letStatement, { LABEL: 'statement' }) },
          { ALT: () => this.SUBRULE(this.trainBlock, { LABEL: 'statement' }) },
          { GATE: () => this.isLineStart(), ALT: () => this.SUBRULE(this.line, { LABEL: 'statement' }) },
          { ALT: () => this.SUBRULE(this.setting, { LABEL: 'statement' }) },
        ],
      });
    });
    this.CONSUME(T.RBrace);
  });

  private letStatement = this.RULE('letStatement', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  private trainBlock = this.RULE('trainBlock', () => {
    this.CONSUME(T.Train);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.setting) }]);
    });
    this.CONSUME(T.RBrace);
  });

  private setting = this.RULE('setting', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.OPTION({ GATE: () => this.isArgStart(1), DEF: () => this.SUBRULE(this.argList) });
  });

  private line = this.RULE('line', () => {
    this.OPTION({
      GATE: () => !this.isItemStart(1),
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'label' });
        this.OPTION2(() => this.CONSUME(T.Colon));
      },
    });
    this.SUBRULE(this.item);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.item);
    });
  });

  private item = this.RULE('item', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.layerItem) },
        { ALT: () => this.SUBRULE(this.addItem) },
        { ALT: () => this.SUBRULE(this.gateItem) },
        { ALT: () => this.SUBRULE(this.splitItem) },
        { ALT: () => this.SUBRULE(this.callItem) },
      ],
    });
  });

  private layerItem = this.RULE('layerItem', () => {
    this.CONSUME(T.LayerKeyword);
    this.OPTION({ GATE: () => this.isArgStart(1), DEF: () => this.SUBRULE(this.lineArgs) });
  });

  private addItem = this.RULE('addItem', () => {
    this.CONSUME(T.Add);
    this.OPTION({ GATE: () => this.isArgStart(1), DEF: () => this.SUBRULE(this.lineArgs) });
    this.OPTION2(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.line, { LABEL: 'branch' }) }]);
      });
      this.CONSUME(T.RBrace);
    });
  });

  /** `gate { avgpool, conv 1x1, 16, bias, relu, conv 1x1, 64, bias, sigmoid }`: x times f(x). */
  private gateItem = this.RULE('gateItem', () => {
    this.CONSUME(T.Gate);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.line, { LABEL: 'branch' }) }]);
    });
    this.CONSUME(T.RBrace);
  });

  /** `split 4, cascade, keep { conv 3x3, 26, bn, relu }`: channel groups, each through the lines in braces, concatenated. */
  private splitItem = this.RULE('splitItem', () => {
    this.CONSUME(T.Split);
    this.OPTION({ GATE: () => this.isArgStart(1), DEF: () => this.SUBRULE(this.lineArgs) });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.SUBRULE(this.line, { LABEL: 'branch' }) }]);
    });
    this.CONSUME(T.RBrace);
  });

  private callItem = this.RULE('callItem', () => {
    this.CONSUME(T.Identifier, { LABEL: 'callee' });
    this.SUBRULE(this.parenArgs);
    this.OPTION(() => {
      this.CONSUME(T.Times);
      this.SUBRULE(this.expr, { LABEL: 'repeat' });
    });
    this.MANY({
      GATE: () => !this.isItemStart(2),
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE(this.arg, { LABEL: 'trailing' });
      },
    });
  });

  private parenArgs = this.RULE('parenArgs', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  /** Arguments of a layer or `add`: a comma before a new item ends them. */
  private lineArgs = this.RULE('lineArgs', () => {
    this.SUBRULE(this.arg);
    this.MANY({
      GATE: () => !this.isItemStart(2),
      DEF: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      },
    });
  });

  /** Arguments of a setting; the comma may be left out (`decay 0.1 at 32k, 48k`). */
  private argList = this.RULE('argList', () => {
    this.SUBRULE(this.arg);
    this.MANY({
      GATE: () => this.LA(1).tokenType === T.Comma || this.isArgStart(1),
      DEF: () => {
        this.OPTION(() => this.CONSUME(T.Comma));
        this.SUBRULE2(this.arg);
      },
    });
  });

  private arg = this.RULE('arg', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () =>
            this.LA(1).tokenType === T.Identifier &&
            !(this.LA(2).tokenType === T.LParen && isFunctionName(this.LA(1).image)) &&
            (!isOperator(this.LA(2).tokenType) || isSign(this.LA(1), this.LA(2), this.LA(3))),
          ALT: () => {
            this.CONSUME(T.Identifier, { LABEL: 'name' });
            this.OPTION({
              GATE: () => this.LA(1).tokenType === T.Equals || (this.isArgStart(1) && this.LA(1).tokenType !== T.LParen),
              DEF: () => {
                this.OPTION2(() => this.CONSUME(T.Equals));
                this.SUBRULE(this.value);
              },
            });
          },
        },
        { ALT: () => this.SUBRULE2(this.value) },
      ],
    });
  });

  private value = this.RULE('value', () => {
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.Times);
      this.SUBRULE2(this.expr);
    });
  });

  private expr = this.RULE('expr', () => {
    this.SUBRULE(this.term);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.term);
    });
  });

  private term = this.RULE('term', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.unary);
    });
  });

  private unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  private primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      {
        // `make_divisible(c / 4, 8)`: a function of the arithmetic (language/functions.ts).
        GATE: () => this.LA(2).tokenType === T.LParen,
        ALT: () => {
          this.CONSUME2(T.Identifier, { LABEL: 'callee' });
          this.CONSUME2(T.LParen);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expr, { LABEL: 'argument' }) });
          this.CONSUME2(T.RParen);
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });
}

/** After a name, an operator means the name is part of an expression (`w*2`, `k x k`). */
function isOperator(t: TokenType): boolean {
  return t === T.Times || t === T.Star || t === T.Slash || t === T.Plus || t === T.Minus;
}

/**
 * `stride -1`: a minus with a space before it and none after is the value's sign, so the name
 * takes a negative value (which its check then refuses by name), not `stride - 1`.
 */
function isSign(name: IToken, minus: IToken, after: IToken): boolean {
  return minus.tokenType === T.Minus && minus.startOffset > (name.endOffset ?? name.startOffset) + 1 && after.startOffset === (minus.endOffset ?? minus.startOffset) + 1;
}

function isLayerKeyword(t: TokenType): boolean {
  return t.CATEGORIES?.includes(T.LayerKeyword) ?? false;
}
