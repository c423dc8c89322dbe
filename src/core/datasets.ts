// The data sets training knows by name: one union for the language (`dataset …` in a recipe),
// the CLI's --dataset, the train request and the data loaders. Host-free and dependency-free, so
// the protocol (and the webview through it) can use it without pulling in the analyzer.

export const DATASET_NAMES = ['mnist', 'cifar10', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
