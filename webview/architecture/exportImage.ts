// The exported SVG drawn into a PNG: the browser rasterises the SVG (an image from a data: URL, which
// the page's CSP allows), at twice the size for slides, within the canvas size limits.

/** Chromium's canvas limits: 32,767 pixels a side and about 268 million pixels in all. */
const MAX_SIDE = 16_384;
const MAX_PIXELS = 120_000_000;

export async function svgToPng(svg: string, preferredScale = 2): Promise<string> {
  const width = Number(/width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const height = Number(/height="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  if (!(width > 0 && height > 0)) throw new Error('the SVG has no size');
  const scale = Math.min(preferredScale, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_PIXELS / (width * height)));
  const image = new Image();
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  image.src = `data:image/svg+xml;base64,${btoa(binary)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.floor(width * scale));
  canvas.height = Math.max(1, Math.floor(height * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}
