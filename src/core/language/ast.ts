// The syntax tree of a `.resnet` file. Every node carries its source range so that diagnostics,
// hovers and inlay hints can point at exactly the text they are about.

/** A span of source text. Lines and columns are 1-based; `end*` is exclusive. */
export interface SourceRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Name {
  readonly text: string;
  readonly range: SourceRange;
}

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly range: SourceRange }
  | { readonly kind: 'ref'; readonly name: Name; readonly range: SourceRange }
  | { readonly kind: 'negate'; readonly operand: Expr; readonly range: SourceRange }
  /** `make_divisible(c / 4, 8)`: one of the functions of language/functions.ts. */
  | { readonly kind: 'call'; readonly callee: Name; readonly args: readonly Expr[]; readonly range: SourceRange }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Expr;
      readonly right: Expr;
      readonly range: SourceRange;
    };

/** `224x224x3` has three parts, `3x3` two, `64` one. */
export interface Value {
  readonly parts: readonly Expr[];
  readonly range: SourceRange;
}

/**
 * One argument. Positional (`64`): only `value`. Named (`stride 2`, `groups = 32`): both.
 * A bare word (`flip`, `shortcut`, `cifar10`, or a parameter such as `width`): only `name`;
 * its meaning depends on where it stands, which the analyzer decides.
 */
export interface Arg {
  readonly name?: Name | undefined;
  readonly value?: Value | undefined;
  readonly range: SourceRange;
}

export type LayerOp =
  | 'conv'
  | 'bn'
  | 'relu'
  | 'maxpool'
  | 'avgpool'
  | 'globalavgpool'
  | 'fc'
  | 'softmax'
  | 'relu6'
  | 'sigmoid'
  | 'hardsigmoid'
  | 'silu'
  | 'swish'
  | 'hardswish'
  | 'gelu'
  | 'gn'
  | 'ln'
  | 'dropout'
  | 'droppath'
  | 'layerscale'
  | 'channelconv'
  /** Not a layer: where a block's projection shortcut starts reading (pre-activation). */
  | 'tap';

export interface LayerItem {
  readonly kind: 'layer';
  readonly op: LayerOp;
  readonly opRange: SourceRange;
  readonly args: readonly Arg[];
  readonly range: SourceRange;
}

/** `basic(64) x 3, stride 2`: a block, repeated, with arguments for the stage. */
export interface CallItem {
  readonly kind: 'call';
  readonly callee: Name;
  readonly args: readonly Arg[];
  readonly repeat?: Expr | undefined;
  readonly trailing: readonly Arg[];
  readonly range: SourceRange;
}

/** `add shortcut`, `add identity`, `add projection`, or `add { conv 1x1, 64; bn }`. */
export interface AddItem {
  readonly kind: 'add';
  readonly args: readonly Arg[];
  readonly branch?: readonly Line[] | undefined;
  readonly range: SourceRange;
}

/** `gate { avgpool, conv 1x1, 16, bias, relu, conv 1x1, 64, bias, sigmoid }`: x times f(x). */
export interface GateItem {
  readonly kind: 'gate';
  readonly keywordRange: SourceRange;
  readonly lines: readonly Line[];
  readonly range: SourceRange;
}

/**
 * `split 4, cascade, keep { conv 3x3, 26, bn, relu }`: the channels in equal groups, each through
 * its own copy of the lines in braces, the outputs concatenated (Res2Net). A line labelled `keep`
 * holds the kept group's own layers.
 */
export interface SplitItem {
  readonly kind: 'split';
  readonly keywordRange: SourceRange;
  readonly args: readonly Arg[];
  readonly lines: readonly Line[];
  readonly range: SourceRange;
}

export type Item = LayerItem | CallItem | AddItem | GateItem | SplitItem;

/** One line of layers and blocks, optionally labelled (`conv2_x  bottleneck(64) x 3`). */
export interface Line {
  readonly kind: 'line';
  readonly label?: Name | undefined;
  readonly items: readonly Item[];
  readonly range: SourceRange;
}

/** `input 224x224x3, classes 1000`, `shortcut B`, `batch 128`, `sgd lr 0.1, momentum 0.9`. */
export interface Setting {
  readonly kind: 'setting';
  readonly key: Name;
  readonly args: readonly Arg[];
  readonly range: SourceRange;
}

export interface LetStatement {
  readonly kind: 'let';
  readonly name: Name;
  readonly value?: Expr | undefined;
  readonly range: SourceRange;
}

export interface TrainBlock {
  readonly kind: 'train';
  readonly keywordRange: SourceRange;
  readonly settings: readonly Setting[];
  readonly range: SourceRange;
}

export type Statement = Line | Setting | LetStatement | TrainBlock;

export interface Param {
  readonly name: Name;
  readonly defaultValue?: Expr | undefined;
  readonly range: SourceRange;
}

export interface ModelDecl {
  readonly kind: 'model';
  readonly name: Name;
  /** Present when the model is a template (`model cifar_resnet(n) { … }`). */
  readonly params?: readonly Param[] | undefined;
  /** Present for a model written out in full. */
  readonly body?: readonly Statement[] | undefined;
  /** Present for `model resnet20 = cifar_resnet(n = 3)`. */
  readonly instanceOf?: { readonly template: Name; readonly args: readonly Arg[] } | undefined;
  readonly range: SourceRange;
}

export interface BlockDecl {
  readonly kind: 'block';
  readonly name: Name;
  readonly params: readonly Param[];
  readonly body: readonly Statement[];
  readonly range: SourceRange;
}

/**
 * `experiment fig6 { grid cifar_plain(n = 3, 5, 7, 9); models resnet20; seeds 1, 2; train { … } }`.
 * The body is parsed like a model's; the analysis (analysis/experiment.ts) reads its statements.
 */
export interface ExperimentDecl {
  readonly kind: 'experiment';
  readonly name: Name;
  readonly body: readonly Statement[];
  readonly range: SourceRange;
}

export type TopLevel = ModelDecl | BlockDecl | ExperimentDecl | LetStatement;

export interface ResnetFile {
  readonly items: readonly TopLevel[];
  readonly range: SourceRange;
}
