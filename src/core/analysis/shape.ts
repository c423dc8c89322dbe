// Tensor shapes as the paper writes them: height × width × channels, batch left out.
export type Shape = readonly [height: number, width: number, channels: number];

export function formatShape(shape: Shape): string {
  return `${shape[0]}×${shape[1]}×${shape[2]}`;
}

export function shapeElements(shape: Shape): number {
  return shape[0] * shape[1] * shape[2];
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/**
 * PyTorch's output size for a convolution or pooling window. With `ceil` (pooling's `ceil_mode`)
 * the last window may hang over the edge, but never start in the right padding.
 */
export function windowOutputSize(size: number, kernel: number, stride: number, padding: number, ceil = false): number {
  if (!ceil) return Math.floor((size + 2 * padding - kernel) / stride) + 1;
  let out = Math.ceil((size + 2 * padding - kernel) / stride) + 1;
  if ((out - 1) * stride >= size + padding) out--;
  return out;
}

/** A shape from checked arguments (`224x224x3`), or undefined when they are not three numbers. */
export function toShape(dims: readonly number[]): Shape | undefined {
  const [height, width, channels] = dims;
  return dims.length === 3 && height !== undefined && width !== undefined && channels !== undefined ? [height, width, channels] : undefined;
}
