// Generated code with holes: every number of a layer (channels, stride, kernel…) is recorded as a
// hole while the code is written, and filled in later, either with its value (a model's own
// layers, a value all uses of a block share) or with a constructor parameter (a value that
// differs between the uses of one block class).

import { at } from '../core/indexed';

/** What a hole holds; it decides how holes merge into parameters and how those are named. */
export type HoleKind =
  /** The channels entering a block: always the parameter `in_channels`. */
  | 'in'
  /** Output channels of a convolution or fully connected layer: always a parameter. */
  | 'channels'
  | 'stride'
  | 'groups'
  /** Anything else (kernel, padding, bias…): a parameter only where uses differ. */
  | 'other'
  /** A source line for a comment: shown only when every use has the same. */
  | 'line';

export interface Hole {
  readonly kind: HoleKind;
  /** The parameter's name if it becomes one. */
  readonly hint: string;
  /** Holes with the same role become one parameter (built-in blocks know what their numbers mean). */
  readonly role?: string;
  /** The value as a Python literal. */
  readonly value: string;
}

export interface Filled {
  readonly text: string;
  /** Set when the hole is filled with a value rather than a parameter. */
  readonly literal?: string;
}

export type Fill = (hole: number) => Filled;

/** Code that becomes text once its holes are filled. */
export type Render = (fill: Fill) => string;

export class Holes {
  readonly list: Hole[] = [];

  add(kind: HoleKind, hint: string, value: string | number, role?: string): number {
    this.list.push({ kind, hint, value: String(value), ...(role ? { role } : {}) });
    return this.list.length - 1;
  }

  /** The value hole number `hole` was made with; a number not from `add` is a bug, so it throws. */
  value(hole: number): string {
    return at(this.list, hole, 'export hole').value;
  }

  /** Every hole filled with its own value: a model's layers, written out as they are. */
  readonly literal: Fill = (hole) => {
    const value = this.value(hole);
    return { text: value, literal: value };
  };
}

/** `, name=value`, or nothing when the hole is filled with the default value. */
export function keyword(fill: Fill, name: string, hole: number, defaultValue?: string): string {
  const filled = fill(hole);
  return filled.literal !== undefined && filled.literal === defaultValue ? '' : `, ${name}=${filled.text}`;
}
