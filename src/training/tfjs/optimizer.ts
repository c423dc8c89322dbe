// SGD with momentum and weight decay exactly as PyTorch defines it (the paper's optimizer), and
// Adam; written out so that their state is plain tensors a checkpoint can save and restore.
import * as tf from '@tensorflow/tfjs';
import { at } from '../../core/indexed';

export interface OptimizerSettings {
  readonly kind: 'sgd' | 'adam';
  readonly momentum: number;
  readonly weightDecay: number;
}

export interface OptimizerState {
  readonly steps: number;
  readonly slots: readonly { readonly variable: number; readonly slot: number; readonly shape: number[]; readonly values: Float32Array }[];
}

export class Optimizer {
  /** Per variable, by its position in the model's trainable weights: the momentum buffer, or Adam's two moments. */
  private slots = new Map<number, tf.Variable[]>();
  private steps = 0;

  constructor(private readonly settings: OptimizerSettings) {}

  /** `grads[i]` is the gradient of `variables[i]`. */
  apply(variables: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void {
    this.steps++;
    const { kind, momentum, weightDecay } = this.settings;
    // One tidy per variable: its temporaries are freed before the next, so the update holds a few
    // copies of the largest weight rather than of every weight.
    variables.forEach((v, index) => {
      tf.tidy(() => {
        const raw = at(grads, index, 'gradients');
        // PyTorch: g ← g + λw (decay on every parameter, BatchNorm's included).
        const g = weightDecay > 0 ? raw.add(v.mul(weightDecay)) : raw;
        if (kind === 'sgd') {
          const buffer = at(this.slotsFor(index, v, 1), 0, 'momentum slots');
          // PyTorch: b ← μb + g (b = g on the first step), w ← w − lr·b.
          const next = this.steps === 1 ? g : buffer.mul(momentum).add(g);
          buffer.assign(next);
          v.assign(v.sub(next.mul(lr)));
        } else {
          const slots = this.slotsFor(index, v, 2);
          const m = at(slots, 0, 'Adam slots');
          const s = at(slots, 1, 'Adam slots');
          const b1 = 0.9;
          const b2 = 0.999;
          m.assign(m.mul(b1).add(g.mul(1 - b1)));
          s.assign(s.mul(b2).add(g.square().mul(1 - b2)));
          const mHat = m.div(1 - b1 ** this.steps);
          const sHat = s.div(1 - b2 ** this.steps);
          v.assign(v.sub(mHat.mul(lr).div(sHat.sqrt().add(1e-8))));
        }
      });
    });
  }

  private slotsFor(index: number, v: tf.Variable, count: number): tf.Variable[] {
    let slots = this.slots.get(index);
    if (!slots) {
      slots = Array.from({ length: count }, () => tf.variable(tf.zerosLike(v), false));
      this.slots.set(index, slots);
    }
    return slots;
  }

  /** The state to checkpoint: step count and every slot, by variable name. */
  async state(): Promise<OptimizerState> {
    const slots: OptimizerState['slots'][number][] = [];
    for (const [variable, vars] of this.slots) {
      for (const [slot, value] of vars.entries()) slots.push({ variable, slot, shape: value.shape, values: (await value.data()) as Float32Array });
    }
    return { steps: this.steps, slots };
  }

  restore(state: OptimizerState): void {
    this.dispose();
    this.steps = state.steps;
    for (const { variable, slot, shape, values } of state.slots) {
      const vars = this.slots.get(variable) ?? [];
      vars[slot] = tf.variable(tf.tensor(values, shape), false);
      this.slots.set(variable, vars);
    }
  }

  dispose(): void {
    for (const vars of this.slots.values()) for (const v of vars) v.dispose();
    this.slots.clear();
  }
}
