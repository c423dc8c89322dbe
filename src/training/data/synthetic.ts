/**
 * A tiny, instant, learnable data set for smoke tests and demos: each class is
 * a distinct wave pattern (its own frequency and per-channel phase), and every
 * image is that pattern at a random contrast plus uniform noise. A network
 * that trains at all gets well above chance within an epoch or two.
 */
import { Random } from '../random';
import { at } from '../../core/indexed';
import { DatasetError, formatShape, type ImageDataset, type ImageShape, type Split } from './dataset';

export interface SyntheticOptions {
  readonly imageShape?: ImageShape;
  readonly numClasses?: number;
  readonly trainCount?: number;
  readonly testCount?: number;
  readonly seed?: number;
  /** Half-width of the uniform pixel noise; 0 gives clean patterns. */
  readonly noise?: number;
}

export function makeSynthetic(options: SyntheticOptions = {}): ImageDataset {
  const shape = options.imageShape ?? [16, 16, 3];
  const numClasses = options.numClasses ?? 4;
  const trainCount = options.trainCount ?? 256;
  const testCount = options.testCount ?? 64;
  const noise = options.noise ?? 0.15;
  validate(shape, numClasses, trainCount, testCount, noise);

  const rng = new Random(options.seed ?? 0);
  const prototypes = makePrototypes(shape, numClasses, rng);
  return {
    name: 'synthetic',
    imageShape: shape,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, k) => `pattern ${k}`),
    train: sample(prototypes, trainCount, noise, rng),
    test: sample(prototypes, testCount, noise, rng),
  };
}

function makePrototypes(shape: ImageShape, numClasses: number, rng: Random): Float32Array[] {
  const [h, w, c] = shape;
  // Distinct spatial frequencies first; phases keep classes apart if they repeat.
  const freqs: Array<[number, number]> = [];
  for (let fy = 0; fy < 4; fy++) for (let fx = 0; fx < 4; fx++) if (fx || fy) freqs.push([fx, fy]);
  rng.shuffle(freqs);
  return Array.from({ length: numClasses }, (_, k) => {
    const [fx, fy] = at(freqs, k % freqs.length, 'spatial frequencies');
    const phases = Array.from({ length: c }, () => rng.nextFloat() * 2 * Math.PI);
    const img = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          const angle = 2 * Math.PI * ((fx * x) / w + (fy * y) / h) + at(phases, ch, 'phases');
          img[(y * w + x) * c + ch] = 0.5 + 0.4 * Math.sin(angle);
        }
      }
    }
    return img;
  });
}

function sample(prototypes: Float32Array[], count: number, noise: number, rng: Random): Split {
  const size = at(prototypes, 0, 'class prototypes').length;
  // Balanced classes, shuffled so batches mix them.
  const labels = rng.shuffle(Uint8Array.from({ length: count }, (_, i) => i % prototypes.length));
  const images = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    const proto = at(prototypes, at(labels, i, 'labels'), 'class prototypes');
    const contrast = 0.6 + 0.4 * rng.nextFloat();
    let p = i * size;
    for (const value of proto) {
      const v = 0.5 + contrast * (value - 0.5) + noise * (2 * rng.nextFloat() - 1);
      images[p++] = Math.min(1, Math.max(0, v));
    }
  }
  return { images, labels, count };
}

function validate(shape: ImageShape, numClasses: number, train: number, test: number, noise: number): void {
  const problems: string[] = [];
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    problems.push(`image shape ${formatShape(shape)} must be three positive integers HxWxC`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
    problems.push(`class count ${numClasses} must be an integer from 1 to 256`);
  }
  if (!Number.isInteger(train) || train < 1) problems.push(`training count ${train} must be a positive integer`);
  if (!Number.isInteger(test) || test < 1) problems.push(`test count ${test} must be a positive integer`);
  if (!(noise >= 0 && noise <= 1)) problems.push(`noise ${noise} must be between 0 and 1`);
  if (problems.length) {
    throw new DatasetError(`Synthetic data set options are invalid: ${problems.join('; ')}.`, 'Fix these values in the synthetic data set settings.');
  }
}
