// Python spelling for generated code: identifiers that are legal and shadow nothing the generated
// module or nn.Module relies on, literals for the numbers and tuples of the analyzed network, and
// the one escaping function (`pythonText`) that every piece of user text (file names, paths, quoted
// source lines, names) goes through before it reaches a comment, a docstring or a string literal.

const KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'match',
  'case',
]);

/** Module-level names of the generated file and the builtins its code calls: a class with one of these names would break it. */
const MODULE_NAMES = new Set([
  'torch',
  'nn',
  'math',
  'OrderedDict',
  'annotations',
  'initialize',
  'projection',
  'ZeroPadShortcut',
  'MODELS',
  'super',
  'isinstance',
  'int',
  'float',
  'bool',
  'str',
  'tuple',
  'list',
  'dict',
  'object',
  'type',
  'print',
  'sum',
  'len',
  'range',
  'getattr',
  'setattr',
  'self',
  'x',
  'out',
  // Parameter names of generated constructors: a class named like one would be shadowed inside them.
  'in_channels',
  'out_channels',
  'width',
  'stride',
  'groups',
  'extra_channels',
]);

/** Python's builtins (3.8–3.13): a model or block class named like one would shadow it in the module. */
const BUILTINS = new Set([
  'abs',
  'aiter',
  'all',
  'anext',
  'any',
  'ascii',
  'bin',
  'breakpoint',
  'bytearray',
  'bytes',
  'callable',
  'chr',
  'classmethod',
  'compile',
  'complex',
  'copyright',
  'credits',
  'delattr',
  'dir',
  'divmod',
  'enumerate',
  'eval',
  'exec',
  'exit',
  'filter',
  'format',
  'frozenset',
  'globals',
  'hasattr',
  'hash',
  'help',
  'hex',
  'id',
  'input',
  'iter',
  'license',
  'locals',
  'map',
  'max',
  'memoryview',
  'min',
  'next',
  'oct',
  'open',
  'ord',
  'pow',
  'property',
  'quit',
  'repr',
  'reversed',
  'round',
  'set',
  'slice',
  'sorted',
  'staticmethod',
  'vars',
  'zip',
  'Ellipsis',
  'NotImplemented',
  'BaseException',
  'Exception',
  'ArithmeticError',
  'AssertionError',
  'AttributeError',
  'ImportError',
  'IndexError',
  'KeyError',
  'KeyboardInterrupt',
  'LookupError',
  'NameError',
  'OSError',
  'RuntimeError',
  'StopIteration',
  'SyntaxError',
  'SystemExit',
  'TypeError',
  'ValueError',
  'Warning',
  'ZeroDivisionError',
]);

/** Attributes every nn.Module has (torch 1.13 and 2.x), and the ones generated model classes add. */
const MODULE_ATTRIBUTES = new Set([
  'T_destination',
  'add_module',
  'apply',
  'bfloat16',
  'buffers',
  'call_super_init',
  'children',
  'compile',
  'cpu',
  'cuda',
  'double',
  'dump_patches',
  'eval',
  'extra_repr',
  'float',
  'forward',
  'get_buffer',
  'get_extra_state',
  'get_parameter',
  'get_submodule',
  'half',
  'ipu',
  'load_state_dict',
  'modules',
  'mtia',
  'named_buffers',
  'named_children',
  'named_modules',
  'named_parameters',
  'parameters',
  'register_backward_hook',
  'register_buffer',
  'register_forward_hook',
  'register_forward_pre_hook',
  'register_full_backward_hook',
  'register_full_backward_pre_hook',
  'register_load_state_dict_post_hook',
  'register_load_state_dict_pre_hook',
  'register_module',
  'register_parameter',
  'register_state_dict_post_hook',
  'register_state_dict_pre_hook',
  'requires_grad_',
  'set_extra_state',
  'set_submodule',
  'share_memory',
  'smart_apply',
  'state_dict',
  'to',
  'to_empty',
  'train',
  'training',
  'type',
  'xpu',
  'zero_grad',
  'input_shape',
  'num_classes',
  'shortcut',
  // nn.Sequential's own methods (torch 2.x): stage entries are its attributes too.
  'append',
  'extend',
  'insert',
  'pop',
]);

/** A name given another spelling in the generated Python, and why: shown to the user. */
export interface Rename {
  readonly wanted: string;
  readonly given: string;
  readonly reason: string;
}

/** Why `name` cannot be used as it is for a class (module level) or an attribute (of an nn.Module), or undefined. */
function reservedBecause(name: string, kind: 'class' | 'attribute'): string | undefined {
  if (KEYWORDS.has(name)) return 'a Python keyword';
  if (/^__.*__$/.test(name)) return 'Python gives names that start and end with __ a meaning of their own';
  if (kind === 'attribute') {
    if (name.startsWith('_')) return 'nn.Module keeps its own state in attributes that start with _';
    if (MODULE_ATTRIBUTES.has(name)) return 'every nn.Module already has an attribute of that name';
  } else {
    if (MODULE_NAMES.has(name)) return 'the generated module uses that name itself';
    if (BUILTINS.has(name)) return 'it would shadow a Python builtin';
  }
  return undefined;
}

/** `.resnet` names may carry `.N` suffixes; Python's may not. */
function legal(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/**
 * Hands out unique names for one namespace (a module's classes, a class's attributes, a
 * Sequential's entries). Every name that had to change is recorded in `renames`, which the
 * allocators of one export share, so the user is told.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(
    private readonly kind: 'class' | 'attribute',
    readonly renames: Rename[] = [],
    taken: readonly string[] = [],
  ) {
    for (const name of taken) this.taken.add(name);
  }

  /** `wanted` itself when free, legal and not special to Python or nn.Module, else a close variant (`head_`, `modules_`, `basic_2`). */
  allocate(wanted: string): string {
    const cleaned = legal(wanted);
    const why = reservedBecause(cleaned, this.kind);
    // `_modules` → `modules_`, `__name__` → `name_`: a variant with the underscores at the ends
    // kept would be special still.
    const stripped = cleaned.replace(/^_+|_+$/g, '') || 'unnamed';
    const base = why !== undefined ? `${/^[0-9]/.test(stripped) ? 'n' : ''}${stripped}_` : cleaned;
    let name = base;
    for (let n = 2; this.taken.has(name) || reservedBecause(name, this.kind) !== undefined; n++) name = `${base}_${n}`;
    this.taken.add(name);
    if (name !== wanted) {
      const reason = why ?? (cleaned !== wanted ? 'Python names hold only letters, digits and _' : 'the name is already used here');
      if (!this.renames.some((r) => r.wanted === wanted && r.given === name)) this.renames.push({ wanted, given: name, reason });
    }
    return name;
  }
}

/** The sentence that tells the user about a rename. */
export function describeRename(rename: Rename, what: string): string {
  return `${what} \`${rename.wanted}\` is \`${rename.given}\` in the Python: ${rename.reason}`;
}

/**
 * User text made safe inside generated Python: in a `#` comment, a `"""` docstring or a `"`
 * string literal. Backslashes and double quotes are escaped, and so is every character that could
 * end a line or a literal, hide text, or not be written as UTF-8: control characters (NUL, CR,
 * U+0085…), line and paragraph separators, format characters (bidirectional overrides, U+FEFF),
 * lone surrogates, private-use and unassigned code points. Escapes are Python's (`\n`,
 * `\x00`, `\u2028`, `\U000e0001`), so a string literal reads back the original text and a
 * comment shows it visibly. The one function for all of it, tested with hostile strings.
 */
export function pythonText(text: string): string {
  return text.replace(/[\\"\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/gu, (ch) => {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) return named;
    const code = ch.codePointAt(0) as number;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\U${code.toString(16).padStart(8, '0')}`;
  });
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A `#` comment holding user text; it cannot end before the line does. */
export function commentText(text: string): string {
  return `# ${pythonText(text)}`;
}

/** `3` for a square window, `(3, 1)` otherwise. */
export function pairLiteral(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? String(pair[0]) : `(${pair[0]}, ${pair[1]})`;
}

export function boolLiteral(value: boolean): string {
  return value ? 'True' : 'False';
}

/** A double-quoted Python string that reads back as `text`. */
export function stringLiteral(text: string): string {
  return `"${pythonText(text)}"`;
}

/** `1,234,567`: how the figures read in comments and docstrings. */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** A docstring (of user text, escaped) wrapped to about 100 columns, its lines indented by `indent`. */
export function docstring(text: string, indent: string): string {
  const width = 100 - indent.length;
  const lines: string[] = [];
  let line = '"""';
  for (const word of pythonText(text).split(/ +/)) {
    if (line.length + 1 + word.length > width && line !== '"""') {
      lines.push(line);
      line = word;
    } else line = line === '"""' ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(`${line}"""`);
  return lines.map((l) => `${indent}${l}`).join('\n');
}
