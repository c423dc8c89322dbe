// One analyzed layer as the torch.nn module that computes it (NCHW), with its numbers as holes.
import type { LayerNode } from '../core/analysis/network';
import { keyword, type Holes, type Render } from './holes';
import { boolLiteral, pairLiteral } from './pythonSyntax';

export interface LayerCode {
  /** The module's constructor call, e.g. `nn.Conv2d(in_channels, width, 3, padding=1, bias=False)`. */
  readonly make: Render;
  /** The hole holding the channels after this layer. */
  readonly output: number;
}

export interface LayerContext {
  readonly holes: Holes;
  /** ReLU may overwrite its input: nothing else reads it (it is not a block's input). */
  readonly inplace: boolean;
  /** The role of a layer's number in a built-in block (`width` for a basic block's convolutions). */
  readonly role?: ((layerName: string, field: 'filters' | 'stride' | 'groups') => string | undefined) | undefined;
  /** The rate a drop path layer drops at in training (its own, or the model's schedule). */
  readonly dropPathRate?: ((layer: LayerNode) => number) | undefined;
}

const ACTIVATION_MODULES: Record<string, string> = {
  sigmoid: 'nn.Sigmoid()',
  hardsigmoid: 'nn.Hardsigmoid()',
  silu: 'nn.SiLU()',
  hardswish: 'nn.Hardswish()',
  gelu: 'nn.GELU()',
};

/** Whether an fc layer reads a 1×1 input, so its inputs are just the channels. */
export function fcReadsChannels(layer: LayerNode): boolean {
  return layer.input[0] === 1 && layer.input[1] === 1;
}

export function layerModule(layer: LayerNode, name: string, input: number, ctx: LayerContext): LayerCode {
  const { holes } = ctx;
  const spec = layer.spec;
  switch (spec.op) {
    case 'conv': {
      const filters = holes.add('channels', 'out_channels', spec.filters, ctx.role?.(name, 'filters'));
      const kernel = holes.add('other', `${name}_kernel`, pairLiteral(spec.kernel));
      const stride = holes.add('stride', 'stride', spec.stride, ctx.role?.(name, 'stride'));
      const padding = holes.add('other', `${name}_padding`, pairLiteral(spec.padding));
      const groups = holes.add('groups', 'groups', spec.groups, ctx.role?.(name, 'groups'));
      const bias = holes.add('other', `${name}_bias`, boolLiteral(spec.bias));
      return {
        make: (fill) =>
          `nn.Conv2d(${fill(input).text}, ${fill(filters).text}, ${fill(kernel).text}` +
          `${keyword(fill, 'stride', stride, '1')}${keyword(fill, 'padding', padding, '0')}${keyword(fill, 'groups', groups, '1')}${keyword(fill, 'bias', bias, 'True')})`,
        output: filters,
      };
    }
    case 'bn':
      // PyTorch's defaults are the paper's and the TF.js engine's: momentum 0.1, eps 1e-5.
      return { make: (fill) => `nn.BatchNorm2d(${fill(input).text})`, output: input };
    case 'relu':
      return { make: () => (ctx.inplace ? 'nn.ReLU(inplace=True)' : 'nn.ReLU()'), output: input };
    case 'relu6':
      // Never in place: what autograd keeps is then its input, as trainingMemory.ts counts it.
      return { make: () => 'nn.ReLU6()', output: input };
    case 'sigmoid':
    case 'hardsigmoid':
    case 'silu':
    case 'hardswish':
    case 'gelu': {
      const text = ACTIVATION_MODULES[spec.op] ?? 'nn.Identity()';
      return { make: () => text, output: input };
    }
    case 'gn': {
      const groups = holes.add('other', `${name}_groups`, spec.groups);
      const eps = holes.add('other', `${name}_eps`, String(spec.eps));
      return { make: (fill) => `nn.GroupNorm(${fill(groups).text}, ${fill(input).text}${keyword(fill, 'eps', eps, '1e-05')})`, output: input };
    }
    case 'ln': {
      const eps = holes.add('other', `${name}_eps`, String(spec.eps));
      return { make: (fill) => `LayerNorm2d(${fill(input).text}${keyword(fill, 'eps', eps, '1e-06')})`, output: input };
    }
    case 'dropout': {
      const rate = holes.add('other', `${name}_rate`, String(spec.rate));
      return { make: (fill) => `nn.Dropout(${fill(rate).text})`, output: input };
    }
    case 'droppath': {
      const rate = holes.add('other', 'drop_path_rate', String(ctx.dropPathRate?.(layer) ?? spec.rate ?? 0));
      return { make: (fill) => `DropPath(${fill(rate).text})`, output: input };
    }
    case 'layerscale': {
      const init = holes.add('other', `${name}_init`, String(spec.init));
      return { make: (fill) => `LayerScale(${fill(input).text}, ${fill(init).text})`, output: input };
    }
    case 'channelconv': {
      const kernel = holes.add('other', `${name}_kernel`, spec.kernel);
      return { make: (fill) => `ChannelConv(${fill(kernel).text})`, output: input };
    }
    case 'maxpool':
    case 'avgpool': {
      const kernel = holes.add('other', `${name}_kernel`, pairLiteral(spec.kernel));
      const stride = holes.add('stride', 'stride', spec.stride);
      const padding = holes.add('other', `${name}_padding`, pairLiteral(spec.padding));
      // Max pooling pads with -inf and average pooling counts the zero padding, as the analyzer assumes.
      const module = spec.op === 'maxpool' ? 'nn.MaxPool2d' : 'nn.AvgPool2d';
      if (poolPadsBeyondHalf(layer)) {
        // PyTorch's pooling refuses padding beyond half the window; pad first, with what it would pad with.
        const sides = holes.add('other', `${name}_padding`, `(${spec.padding[1]}, ${spec.padding[1]}, ${spec.padding[0]}, ${spec.padding[0]})`);
        const value = spec.op === 'maxpool' ? 'float("-inf")' : '0.0';
        return { make: (fill) => `nn.Sequential(nn.ConstantPad2d(${fill(sides).text}, ${value}), ${module}(${fill(kernel).text}, stride=${fill(stride).text}))`, output: input };
      }
      const ceil = holes.add('other', `${name}_ceil_mode`, boolLiteral(spec.ceil));
      const includePad = holes.add('other', `${name}_count_include_pad`, boolLiteral(!spec.excludePad));
      return {
        make: (fill) =>
          `${module}(${fill(kernel).text}, stride=${fill(stride).text}${keyword(fill, 'padding', padding, '0')}${keyword(fill, 'ceil_mode', ceil, 'False')}` +
          `${spec.op === 'avgpool' ? keyword(fill, 'count_include_pad', includePad, 'True') : ''})`,
        output: input,
      };
    }
    case 'globalavgpool':
      return { make: () => 'nn.AdaptiveAvgPool2d(1)', output: input };
    case 'fc': {
      const inputs = fcReadsChannels(layer) ? input : holes.add('other', `${name}_in_features`, layer.input[0] * layer.input[1] * layer.input[2]);
      const units = holes.add('channels', 'out_features', spec.units, ctx.role?.(name, 'filters'));
      const bias = holes.add('other', `${name}_bias`, boolLiteral(spec.bias));
      return { make: (fill) => `nn.Linear(${fill(inputs).text}, ${fill(units).text}${keyword(fill, 'bias', bias, 'True')})`, output: units };
    }
    case 'softmax':
      // The network's output stays logits, as in the TF.js engine: the loss applies the softmax.
      return { make: () => 'nn.Identity()', output: input };
  }
}

/** Whether a pooling window's padding exceeds half of it, which nn.MaxPool2d and nn.AvgPool2d refuse. */
export function poolPadsBeyondHalf(layer: LayerNode): boolean {
  const spec = layer.spec;
  return (spec.op === 'maxpool' || spec.op === 'avgpool') && (spec.padding[0] * 2 > spec.kernel[0] || spec.padding[1] * 2 > spec.kernel[1]);
}

/** Layers that work on a flattened [N, features] tensor as well as on NCHW. */
export function acceptsFlat(layer: LayerNode): boolean {
  return layer.spec.op === 'fc' || layer.spec.op === 'relu' || layer.spec.op === 'softmax';
}

export const SOFTMAX_NOTE = 'softmax: the output stays logits (the loss applies it); use torch.softmax(logits, 1) for probabilities';
