// Python spelling for generated code: identifiers that are legal and shadow nothing the generated
// module relies on, and literals for the numbers and tuples of the analyzed network.

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case',
]);

/** Module-level names of the generated file and the builtins its code calls: a class with one of these names would break it. */
const MODULE_NAMES = new Set([
  'torch', 'nn', 'math', 'OrderedDict', 'annotations', 'initialize', 'projection', 'ZeroPadShortcut', 'MODELS',
  'super', 'isinstance', 'int', 'float', 'bool', 'str', 'tuple', 'list', 'dict', 'object', 'type', 'print', 'sum', 'len', 'range',
  'getattr', 'setattr', 'self', 'x', 'out',
  // Parameter names of generated constructors: a class named like one would be shadowed inside them.
  'in_channels', 'out_channels', 'width', 'stride', 'groups', 'extra_channels',
]);

/** Attributes every nn.Module has (torch 1.13 and 2.x), and the ones generated model classes add. */
const MODULE_ATTRIBUTES = new Set([
  'T_destination', 'add_module', 'apply', 'bfloat16', 'buffers', 'call_super_init', 'children', 'compile', 'cpu', 'cuda', 'double',
  'dump_patches', 'eval', 'extra_repr', 'float', 'forward', 'get_buffer', 'get_extra_state', 'get_parameter', 'get_submodule', 'half',
  'ipu', 'load_state_dict', 'modules', 'mtia', 'named_buffers', 'named_children', 'named_modules', 'named_parameters', 'parameters',
  'register_backward_hook', 'register_buffer', 'register_forward_hook', 'register_forward_pre_hook', 'register_full_backward_hook',
  'register_full_backward_pre_hook', 'register_load_state_dict_post_hook', 'register_load_state_dict_pre_hook', 'register_module',
  'register_parameter', 'register_state_dict_post_hook', 'register_state_dict_pre_hook', 'requires_grad_', 'set_extra_state',
  'set_submodule', 'share_memory', 'smart_apply', 'state_dict', 'to', 'to_empty', 'train', 'training', 'type', 'xpu', 'zero_grad',
  'input_shape', 'num_classes', 'shortcut',
]);

/** `.resnet` names may carry `.N` suffixes; Python's may not. */
function legal(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Hands out unique names for one namespace (a module's classes, a class's attributes). */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(private readonly reserved: 'class' | 'attribute') {}

  /** `wanted` itself when free and legal, else a close variant (`head_`, `basic_2`). */
  allocate(wanted: string): string {
    const base = legal(wanted);
    const reserved = (n: string) => KEYWORDS.has(n) || (this.reserved === 'class' ? MODULE_NAMES.has(n) : MODULE_ATTRIBUTES.has(n));
    let name = reserved(base) ? `${base}_` : base;
    for (let n = 2; this.taken.has(name) || reserved(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

}

/** `3` for a square window, `(3, 1)` otherwise. */
export function pairLiteral(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? String(pair[0]) : `(${pair[0]}, ${pair[1]})`;
}

export function boolLiteral(value: boolean): string {
  return value ? 'True' : 'False';
}

/** A double-quoted Python string. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text);
}

/** `1,234,567`: how the figures read in comments and docstrings. */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** A docstring wrapped to about 100 columns, its lines indented by `indent`. */
export function docstring(text: string, indent: string): string {
  const width = 100 - indent.length;
  const lines: string[] = [];
  let line = '"""';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '"""') {
      lines.push(line);
      line = word;
    } else line = line === '"""' ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(`${line}"""`);
  return lines.map((l) => `${indent}${l}`).join('\n');
}
