// What a number literal of the language means (`64`, `0.1`, `1e-4`, `32k`, `2M`), read exactly or
// refused where it is written, never read as another number: a JavaScript number holds every whole
// number only up to 2^53 − 1, and a fraction with more digits than a double keeps (or too small to
// tell from 0) would silently become the double nearest to it.
import { msg, type MessageRef } from '../l10n/format';

/** The largest whole number a literal may be: every whole number up to it has its own double. */
export const LARGEST_EXACT_NUMBER = Number.MAX_SAFE_INTEGER;

export type LiteralReading = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly problem: MessageRef };

/** The token's own pattern (tokens.ts), its parts captured; a double printed by String() fits it too. */
const LITERAL = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?([kM]?)$/;

/** Digits of 2^53 − 1: a whole number with more is past it. */
const EXACT_DIGITS = String(LARGEST_EXACT_NUMBER).length;

/** A decimal as digits × 10^scale, the digits without leading or trailing zeros ('' for 0). */
interface Decimal {
  readonly digits: string;
  readonly scale: number;
}

function decimal(text: string): Decimal | undefined {
  const parts = LITERAL.exec(text);
  if (!parts) return undefined;
  const [, whole = '', fraction = '', exponent = '0', suffix] = parts;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  const kept = digits.replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (suffix === 'k' ? 3 : suffix === 'M' ? 6 : 0) + (digits.length - kept.length);
  return { digits: kept, scale: kept === '' ? 0 : scale };
}

export function readNumberLiteral(image: string): LiteralReading {
  const exact = decimal(image);
  if (!exact) return tooLarge(image); // not a literal at all: the lexer never makes one
  const { digits, scale } = exact;
  if (digits === '') return { ok: true, value: 0 };
  const before = digits.length + scale; // how many digits the value has before its point
  if (before > EXACT_DIGITS) return tooLarge(image);
  if (scale >= 0) {
    const value = BigInt(digits) * 10n ** BigInt(scale);
    return value > BigInt(LARGEST_EXACT_NUMBER) ? tooLarge(image) : { ok: true, value: Number(value) };
  }
  // A fraction: Number() rounds digits × 10^scale to the nearest double once. It is what was
  // written when the double, printed back, reads as the same decimal (0.1 does; 0.1000000000000000001 does not).
  const value = before < -400 ? 0 : Number(`${digits}e${scale}`);
  const back = decimal(String(value));
  if (back?.digits !== digits || back.scale !== scale) return { ok: false, problem: msg('number.roundedFraction', { literal: image, value: String(value) }) };
  return { ok: true, value };
}

function tooLarge(image: string): LiteralReading {
  return { ok: false, problem: msg('number.pastExact', { literal: image, limit: LARGEST_EXACT_NUMBER.toLocaleString('en-US') }) };
}
