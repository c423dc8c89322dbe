// Picking one model of a file by name, and the one message for when there is none by that name
// (the CLI's commands, the training worker and the editor all say it the same way).
import type { ModelNode } from '../analysis/network';

export function noModelNamed(file: string, wanted: string, models: readonly Pick<ModelNode, 'name'>[]): string {
  return `${file} has no model named ${wanted}; its models: ${models.map((m) => m.name).join(', ') || 'none'}`;
}
