// "ResNet: Train Model": which file, which model, which data, and a last look at the recipe,
// asked step by step; the answer is the worker's start request. What the file's models are comes
// from the language server (TrainableModelsRequest): the extension never parses a file itself.
import * as l10n from '@vscode/l10n';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-jsonrpc';
import { TrainableModelsRequest, TrainableModelsResultSchema, checkResult, type TrainableModel } from '../../protocol/languageServer';
import { noModelNamed } from '../../core/report/modelChoice';
import type { DatasetChoice, TrainRequest } from '../../protocol/training';
import { formatDuration } from '../../core/report/numbers';
import { QUICK_CHECK_STEPS, runSeconds } from '../../core/report/runPlan';
import { DOWNLOAD_CIFAR10_COMMAND } from './downloadCifar10Command';
import { backendSetting, engineFields, runsFolder, threadsField } from './settings';
import { trainingSpeed } from './trainingSpeed';

/** What the extension asks the language server: the LanguageClient, or a JSON-RPC connection in tests. */
export interface ServerRequests {
  sendRequest<P, R, E>(type: RequestType<P, R, E>, params: P): Promise<R>;
}

/** What a code lens passes (both optional: the palette passes nothing). */
export interface TrainArgs {
  readonly uri?: string;
  readonly model?: string;
}

export function parseTrainArgs(value: unknown): TrainArgs {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    ...(typeof v.uri === 'string' ? { uri: v.uri } : {}),
    ...(typeof v.model === 'string' ? { model: v.model } : {}),
  };
}

/** Where the CIFAR-10 folder picked last is remembered, per workspace (Train Model and Run Experiment share it). */
const CIFAR_DIR_KEY = 'resnet.training.cifar10Dir';

/**
 * Asks what to train. `args` comes from a code lens (the file and model named); from the palette
 * it is empty, and the model declared around the cursor is the one, else the person picks.
 */
export async function askForTrainRequest(
  args: TrainArgs,
  context: vscode.ExtensionContext,
  server: ServerRequests,
): Promise<{ request: TrainRequest; label: string; memoryWarning?: string } | undefined> {
  const document = await resnetDocument(args.uri);
  if (!document) return undefined;
  const fileName = document.uri.path.split('/').pop() ?? document.uri.toString();
  const text = document.getText();
  const editor = vscode.window.activeTextEditor;
  const cursor = args.model === undefined && editor?.document === document ? editor.selection?.active : undefined;
  const answer = checkResult(
    TrainableModelsRequest.method,
    TrainableModelsResultSchema,
    await server.sendRequest(TrainableModelsRequest, { uri: document.uri.toString(), text, ...(cursor ? { position: { line: cursor.line, character: cursor.character } } : {}) }),
  );
  if (!answer.ok) throw new Error(answer.error);
  const found = answer.value;
  if (found.kind === 'errors') {
    const n = found.errors;
    const message = n === 1 ? l10n.t('{0} has 1 error; fix it before training.', fileName) : l10n.t('{0} has {1} errors; fix them before training.', fileName, n);
    const show = await vscode.window.showErrorMessage(message, l10n.t('Show Problems'));
    if (show) await vscode.commands.executeCommand('workbench.actions.view.problems');
    return undefined;
  }
  const wanted = args.model ?? found.atCursor;
  const model = await pickModel(found.models, wanted, fileName);
  if (!model) return undefined;
  // From the code lens or the cursor (the model named), a recipe that names a ready data set needs
  // no question: Train, then Start — two clicks to a live plot. "Other Data…" still offers the choice.
  const fromRecipe = wanted !== undefined ? recipeDataset(model, context) : undefined;
  let data = fromRecipe ?? (await pickDataset(model, context));
  if (!data) return undefined;
  const outDir = runsFolder(document.uri);
  if (!outDir) {
    void vscode.window.showErrorMessage(l10n.t('Open a folder (or save the file) first: runs are written to a runs folder next to your work (setting resnet.training.runsFolder).'));
    return undefined;
  }
  const backend = backendSetting();
  const engine = engineFields(model.engine, backend);
  const speed = trainingSpeed(outDir, engine.engine ?? 'tfjs');
  const about = (steps: number) => formatDuration(runSeconds(steps, model.batchSize, model.macs, speed.macsPerSecond));
  const where = speed.measuredIn ? l10n.t('at the speed of your last run') : l10n.t("from the project's benchmark until a run measures this machine");
  let maxSteps: number | undefined;
  for (;;) {
    const plan = model.plans[data.dataset];
    // A short run first, where the recipe is long: something that ends, with a falling loss to watch.
    const quick = plan.steps > QUICK_CHECK_STEPS;
    const detail = [
      data === fromRecipe ? l10n.t("Data: {0} (the recipe's)", data.label) : l10n.t('Data: {0}', data.label),
      ...plan.recipe,
      ...(quick ? [l10n.t('Quick check: {0} steps, about {1} ({2})', QUICK_CHECK_STEPS.toLocaleString('en-US'), about(QUICK_CHECK_STEPS), where)] : []),
      l10n.t('The recipe as written: {0} steps, about {1} ({2})', plan.steps.toLocaleString('en-US'), about(plan.steps), where),
      engine.engine === 'pytorch'
        ? l10n.t('Engine: PyTorch, with {0} (setting resnet.training.python)', engine.python ?? l10n.t('python3 on PATH'))
        : engine.engine === 'auto'
          ? l10n.t('Engine: the fastest present (PyTorch of {0} on a GPU, TF.js on a GPU, PyTorch on the CPU, TF.js on the CPU)', engine.python ?? l10n.t('python3 on PATH'))
          : backend === 'auto'
            ? l10n.t('Backend: {0} (the best available)', backend)
            : l10n.t('Backend: {0}', backend),
      l10n.t('Run folder in: {0}', outDir),
    ].join('\n');
    const start = l10n.t('Start');
    const quickCheck = l10n.t('Quick Check ({0} steps)', QUICK_CHECK_STEPS);
    const otherData = l10n.t('Other Data…');
    const buttons = [...(quick ? [quickCheck] : []), start, ...(data === fromRecipe ? [otherData] : [])];
    const choice = await vscode.window.showInformationMessage(l10n.t('Train {0} ({1} layers)?', model.name, model.depth), { modal: true, detail }, ...buttons);
    if (choice === quickCheck) maxSteps = QUICK_CHECK_STEPS;
    if (choice === start || choice === quickCheck) break;
    if (choice !== otherData) return undefined;
    const other = await pickDataset(model, context);
    if (!other) return undefined;
    data = other;
  }
  return {
    label: model.name,
    // The warning of the engine this run will use (each has its own estimate); before `auto` has chosen, TF.js's.
    ...withMemoryWarning(model.memoryWarnings?.[engine.engine === 'pytorch' ? 'pytorch' : 'tfjs']),
    request: {
      sourceText: text,
      sourcePath: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(),
      modelName: model.name,
      dataset: data.dataset,
      ...(data.dataDir ? { dataDir: data.dataDir } : {}),
      backend,
      outDir,
      // Where "ResNet: Install Training Backend" puts the optional native backends.
      backendDirs: [context.globalStorageUri.fsPath],
      // The recipe's `engine pytorch` is honoured unless the resnet.training.engine setting says otherwise.
      ...engine,
      ...threadsField(),
      ...(maxSteps === undefined ? {} : { maxSteps }),
    },
  };
}

function withMemoryWarning(warning: string | undefined): { memoryWarning?: string } {
  return warning ? { memoryWarning: warning } : {};
}

async function resnetDocument(uri: string | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri !== undefined) {
    try {
      return await vscode.workspace.openTextDocument(vscode.Uri.parse(uri, true));
    } catch (error) {
      void vscode.window.showErrorMessage(l10n.t('Cannot open {0}: {1}', uri, error instanceof Error ? error.message : String(error)));
      return undefined;
    }
  }
  const isResnet = (d: vscode.TextDocument) => d.languageId === 'resnet' || d.uri.path.endsWith('.resnet');
  const active = vscode.window.activeTextEditor?.document;
  const document = active && isResnet(active) ? active : vscode.window.visibleTextEditors.map((e) => e.document).find(isResnet);
  if (!document) void vscode.window.showErrorMessage(l10n.t('Open a .resnet file to train one of its models.'));
  return document;
}

async function pickModel(models: readonly TrainableModel[], wanted: string | undefined, fileName: string): Promise<TrainableModel | undefined> {
  if (wanted !== undefined) {
    const model = models.find((m) => m.name === wanted);
    if (!model) void vscode.window.showErrorMessage(`${noModelNamed(fileName, wanted, models)}.`);
    return model;
  }
  if (models.length === 0) {
    void vscode.window.showErrorMessage(l10n.t('{0} has no model to train.', fileName));
    return undefined;
  }
  if (models.length === 1) return models[0];
  const picked = await vscode.window.showQuickPick(
    models.map((model) => ({
      label: model.name,
      description: l10n.t('{0} layers · {1} params', model.depth, model.params.toLocaleString('en-US')) + (model.plain ? ' · plain' : ''),
      detail: model.recipe.slice(0, 3).join(' · '),
      model,
    })),
    { title: l10n.t('Train which model?'), matchOnDescription: true },
  );
  return picked?.model;
}

/** The recipe's data set, when it can be used without asking anything (CIFAR-10 needs a known folder). */
function recipeDataset(model: TrainableModel, context: vscode.ExtensionContext): { dataset: DatasetChoice; dataDir?: string | undefined; label: string } | undefined {
  switch (model.dataset) {
    case 'mnist':
      return { dataset: 'mnist', label: 'MNIST (built in)' };
    case 'synthetic':
      return { dataset: 'synthetic', label: 'synthetic images' };
    case 'cifar10': {
      const dataDir = context.workspaceState.get<string>(CIFAR_DIR_KEY);
      return dataDir ? { dataset: 'cifar10', dataDir, label: `CIFAR-10 (${dataDir})` } : undefined;
    }
    default:
      return undefined;
  }
}

interface DatasetItem extends vscode.QuickPickItem {
  readonly dataset: DatasetChoice;
  readonly dataDir?: string;
  readonly browse?: boolean;
  /** Download CIFAR-10 first (no folder of it is known yet). */
  readonly download?: boolean;
}

/** The image shape and classes each real data set has: the model must take them. */
const DATASET_SHAPES: Record<'mnist' | 'cifar10', { shape: readonly [number, number, number]; classes: number; name: string }> = {
  mnist: { shape: [28, 28, 1], classes: 10, name: 'MNIST' },
  cifar10: { shape: [32, 32, 3], classes: 10, name: 'CIFAR-10' },
};

async function pickDataset(model: TrainableModel, context: vscode.ExtensionContext): Promise<{ dataset: DatasetChoice; dataDir?: string | undefined; label: string } | undefined> {
  const fits = (name: 'mnist' | 'cifar10') => {
    const { shape, classes } = DATASET_SHAPES[name];
    return shape.every((n, i) => model.input[i] === n) && model.classes === classes;
  };
  const input = model.input.join('×');
  // A data set the model cannot take says so after its own description.
  const described = (description: string, name: 'mnist' | 'cifar10') =>
    fits(name) ? description : `${description} — ${l10n.t('does not fit: the model takes {0} with {1} classes', input, model.classes)}`;
  const remembered = context.workspaceState.get<string>(CIFAR_DIR_KEY);
  const items: DatasetItem[] = [
    { label: 'MNIST', description: described(l10n.t('built in, 28×28×1, 10,000 real digits (8,000 to train, 2,000 to test)'), 'mnist'), dataset: 'mnist' },
    ...(remembered ? [{ label: 'CIFAR-10', description: described(l10n.t('from {0}', remembered), 'cifar10'), dataset: 'cifar10' as const, dataDir: remembered }] : []),
    ...(remembered
      ? []
      : [
          {
            label: l10n.t('Download CIFAR-10…'),
            description: described(l10n.t('162 MB from the University of Toronto, checked, then trained on'), 'cifar10'),
            dataset: 'cifar10' as const,
            download: true,
          },
        ]),
    {
      label: remembered ? l10n.t('CIFAR-10 from another folder…') : l10n.t('CIFAR-10 from a folder…'),
      description: described(l10n.t('the folder holding cifar-10-batches-bin'), 'cifar10'),
      dataset: 'cifar10',
      browse: true,
    },
    { label: l10n.t('Synthetic'), description: l10n.t('random images shaped {0}, for a quick check of the pipeline', input), dataset: 'synthetic' },
  ];
  // The recipe's data set (or the one that fits) comes first.
  const preferred: DatasetChoice = model.dataset ?? (fits('mnist') ? 'mnist' : fits('cifar10') ? 'cifar10' : 'synthetic');
  items.sort((a, b) => Number(b.dataset === preferred) - Number(a.dataset === preferred));
  const picked = await vscode.window.showQuickPick(items, { title: l10n.t('Train {0} on which data?', model.name), matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.download) {
    // The command asks where, downloads with its own progress, and says where the data is.
    const downloaded = await vscode.commands.executeCommand<string | undefined>(DOWNLOAD_CIFAR10_COMMAND);
    if (!downloaded) return undefined;
    await context.workspaceState.update(CIFAR_DIR_KEY, downloaded);
    return { dataset: 'cifar10', dataDir: downloaded, label: `CIFAR-10 (${downloaded})` };
  }
  if (!picked.browse) {
    const label = picked.dataset === 'synthetic' ? 'synthetic images' : `${picked.label}${picked.dataDir ? ` (${picked.dataDir})` : ''}`;
    return { dataset: picked.dataset, dataDir: picked.dataDir, label };
  }
  const dataDir = await askCifarFolder(context);
  return dataDir ? { dataset: 'cifar10', dataDir, label: `CIFAR-10 (${dataDir})` } : undefined;
}

/** The CIFAR-10 folder picked last in this workspace, if any. */
export function rememberedCifarFolder(context: vscode.ExtensionContext): string | undefined {
  return context.workspaceState.get<string>(CIFAR_DIR_KEY);
}

/** Asks for the CIFAR-10 folder (starting beside the one used last) and remembers the answer for this workspace. */
export async function askCifarFolder(context: vscode.ExtensionContext): Promise<string | undefined> {
  const remembered = rememberedCifarFolder(context);
  const folder = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: l10n.t('Use This Folder'),
    title: l10n.t('The CIFAR-10 folder (cifar-10-batches-bin, or the folder holding it)'),
    ...(remembered && { defaultUri: vscode.Uri.file(dirname(remembered)) }),
  });
  const dataDir = folder?.[0]?.fsPath;
  if (!dataDir) return undefined;
  await context.workspaceState.update(CIFAR_DIR_KEY, dataDir);
  return dataDir;
}
