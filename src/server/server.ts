// The ResNet Studio language server: one connection, the open documents, and each feature wired
// to its request. The features themselves live one per file beside this one.
import {
  CodeActionKind,
  createConnection,
  ErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type TextDocumentPositionParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type * as v from 'valibot';
import {
  ArchitectureCompareRequest,
  ArchitectureGraphRequest,
  ModelSummaryParamsSchema,
  ModelSummaryRequest,
  ModelTotalsParamsSchema,
  ModelTotalsRequest,
  PaperTemplatesRequest,
  SETTINGS_SECTION,
  TrainableModelsParamsSchema,
  TrainableModelsRequest,
  ExperimentPlanRequest,
  ExperimentPlanParamsSchema,
  type ExperimentPlanParams,
  checkRequestParams,
  defaultSettings,
  type ResnetSettings,
  type TrainableModelsParams,
  type TrainableModelsResult,
} from '../protocol/languageServer';
import { clearAnalysisCache } from '../core/analysis/modelCache';
import { chosenLocale, type Locale } from '../core/l10n/locale';
import { render, type MessageRef } from '../core/l10n/format';
import { ArchitectureCompareParamsSchema, ArchitectureGraphParamsSchema, type ArchitectureCompareParams, type ArchitectureGraphParams } from '../protocol/architecture';
import { AnalyzedDocuments, type AnalyzedDocument } from './analyzedDocuments';
import { architectureCompare, architectureGraphOf } from './architectureRequests';
import { codeActions } from './codeActions';
import { codeLenses } from './codeLens';
import { completions } from './completion';
import { definition } from './definition';
import { DEFAULT_DIAGNOSTICS_DELAY_MS, DiagnosticsPublisher } from './diagnostics';
import { foldingRanges } from './folding';
import { formattingEdits } from './formatting';
import { hoverAt } from './hover';
import { experimentPlanFor, sourcePathOf } from './experiments';
import { inlayHints } from './inlayHints';
import { modelSummary, modelTotals } from './modelRequests';
import { paperTemplates } from './paperTemplates';
import { costSettings, readSettings, record, type ReadSettings } from './settings';
import { documentSymbols } from './symbols';
import { trainableModels } from './trainableModels';

/**
 * Starts the server on `connection`. Without one, the transport comes from the command line
 * (`--stdio`, `--node-ipc`, `--socket=N` or `--pipe=NAME`), as editors and the CLI pass it.
 */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  const analyzed = new AnalyzedDocuments();
  let settings: ResnetSettings = defaultSettings;
  let publisher = new DiagnosticsPublisher(connection, analyzed, DEFAULT_DIAGNOSTICS_DELAY_MS);
  let client = { pullsConfiguration: false, refreshesInlayHints: false, refreshesCodeLenses: false };
  /** The client's display language (`initialize`'s `locale`). */
  let clientLocale: string | undefined;
  /** Settings problems sent at initialize, said once the client is initialized. */
  let pendingProblems: readonly MessageRef[] = [];
  /** What was last said about the settings: the same problems are not said again at every change. */
  let saidProblems = '';
  /** The language diagnostics, hovers, lenses and quick fixes speak: the resnet.language setting, else the client's. */
  const currentLocale = (): Locale => chosenLocale(settings.language, clientLocale);

  /** A failing feature logs and answers "nothing" rather than sending the editor a stack trace. */
  const guard =
    <P, R>(name: string, fallback: R, handler: (params: P) => R) =>
    (params: P): R => {
      try {
        return handler(params);
      } catch (error) {
        connection.console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        return fallback;
      }
    };
  /** A custom request's params checked against its schema first: malformed ones get an error naming the field. */
  const checked =
    <S extends v.GenericSchema, R>(method: string, schema: S, handler: (params: v.InferOutput<S>) => R) =>
    (params: unknown): R | ResponseError<void> => {
      const result = checkRequestParams(method, schema, params);
      return result.ok ? handler(result.value) : new ResponseError(ErrorCodes.InvalidParams, result.error);
    };
  /** The analysis of the document a request is about; undefined for a document that is not open. */
  const analysisOf = (uri: string): AnalyzedDocument | undefined => {
    const document = documents.get(uri);
    return document ? analyzed.get(document) : undefined;
  };
  const offsetOf = (a: AnalyzedDocument, params: TextDocumentPositionParams) => a.document.offsetAt(params.position);

  connection.onInitialize((params) => {
    const options = record(params.initializationOptions);
    const delay = options.diagnosticsDelayMs;
    clientLocale = params.locale;
    publisher = new DiagnosticsPublisher(connection, analyzed, typeof delay === 'number' && delay >= 0 ? delay : DEFAULT_DIAGNOSTICS_DELAY_MS, currentLocale);
    if (options.settings !== undefined) {
      const read = readSettings(options.settings);
      settings = read.settings;
      // Said once the client is ready for messages (initialized).
      pendingProblems = read.problems;
    }
    const workspace = params.capabilities.workspace;
    client = {
      pullsConfiguration: workspace?.configuration === true,
      refreshesInlayHints: workspace?.inlayHint?.refreshSupport === true,
      refreshesCodeLenses: workspace?.codeLens?.refreshSupport === true,
    };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        completionProvider: { triggerCharacters: [' ', ',', '('] },
        documentSymbolProvider: true,
        definitionProvider: true,
        documentFormattingProvider: true,
        foldingRangeProvider: true,
      },
      serverInfo: { name: 'resnet-studio' },
    };
  });

  const sayProblems = (problems: readonly MessageRef[]) => {
    const texts = problems.map((p) => render(currentLocale(), p));
    const key = texts.join('\n');
    if (key === saidProblems) return;
    saidProblems = key;
    for (const text of texts) {
      connection.console.warn(text);
      // A notification, not window/showMessageRequest: nothing waits on an answer the client may not give.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: text });
    }
  };
  /** New settings; when they change the language, the open documents' diagnostics are sent again in it. */
  const useSettings = ({ settings: next, problems }: ReadSettings) => {
    const before = currentLocale();
    settings = next;
    sayProblems(problems);
    if (currentLocale() !== before) for (const document of documents.all()) publisher.publishNow(document);
  };
  const pullSettings = async () => {
    try {
      useSettings(readSettings(await connection.workspace.getConfiguration(SETTINGS_SECTION)));
    } catch (error) {
      connection.console.warn(`could not read the ${SETTINGS_SECTION} settings: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  connection.onInitialized(
    guard('initialized', undefined, () => {
      sayProblems(pendingProblems);
      if (client.pullsConfiguration) void pullSettings();
    }),
  );
  connection.onDidChangeConfiguration(async (change) => {
    try {
      const pushed = record(change.settings)[SETTINGS_SECTION];
      if (pushed !== undefined) useSettings(readSettings(pushed));
      else if (client.pullsConfiguration) await pullSettings();
      if (client.refreshesInlayHints) connection.languages.inlayHint.refresh().catch(() => undefined);
      if (client.refreshesCodeLenses) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    } catch (error) {
      connection.console.error(`settings failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  documents.onDidOpen(guard('diagnostics', undefined, (e) => publisher.publishNow(e.document)));
  documents.onDidChangeContent(guard('diagnostics', undefined, (e) => publisher.publishSoon(e.document)));
  documents.onDidClose(
    guard('close', undefined, (e) => {
      publisher.clear(e.document.uri);
      analyzed.forget(e.document.uri);
      // Parses and analyses are remembered across documents; with none open, nothing is worth keeping.
      if (documents.keys().length === 0) clearAnalysisCache();
    }),
  );
  connection.onShutdown(() => publisher.dispose());

  connection.onHover(
    guard('hover', null, (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? hoverAt(a, offsetOf(a, params), settings.summary.batchSize, costSettings(settings), currentLocale()) : null;
    }),
  );
  connection.languages.inlayHint.on(
    guard('inlay hints', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a && settings.inlayHints.enabled ? inlayHints(a, params.range) : [];
    }),
  );
  connection.onCodeLens(
    guard('code lens', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a && settings.codeLens.enabled ? codeLenses(a, currentLocale()) : [];
    }),
  );
  connection.onCodeAction(
    guard('code actions', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? codeActions(a, params, currentLocale()) : [];
    }),
  );
  connection.onCompletion(
    guard('completion', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? completions(a, offsetOf(a, params), currentLocale()) : [];
    }),
  );
  connection.onDocumentSymbol(
    guard('document symbols', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? documentSymbols(a, currentLocale()) : [];
    }),
  );
  connection.onDefinition(
    guard('definition', null, (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? definition(a, offsetOf(a, params)) : null;
    }),
  );
  connection.onDocumentFormatting(
    guard('formatting', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? formattingEdits(a.document.getText(), a.analysis.file) : [];
    }),
  );
  connection.onFoldingRanges(
    guard('folding', [], (params) => {
      const a = analysisOf(params.textDocument.uri);
      return a ? foldingRanges(a) : [];
    }),
  );
  connection.onRequest(
    ModelSummaryRequest,
    checked(
      ModelSummaryRequest.method,
      ModelSummaryParamsSchema,
      guard('model summary', { kind: 'missing', message: 'The summary could not be computed; see the ResNet language server log.' } as const, (params) => {
        const a = analysisOf(params.uri);
        return a ? modelSummary(a, params, settings.summary.batchSize, costSettings(settings), currentLocale()) : { kind: 'missing', message: 'Open the .resnet file to see its summary.' };
      }),
    ),
  );
  connection.onRequest(
    ModelTotalsRequest,
    checked(
      ModelTotalsRequest.method,
      ModelTotalsParamsSchema,
      guard('model totals', null, (params) => {
        const a = analysisOf(params.uri);
        return a ? modelTotals(a, params.position, currentLocale()) : null;
      }),
    ),
  );
  connection.onRequest(
    TrainableModelsRequest,
    checked(
      TrainableModelsRequest.method,
      TrainableModelsParamsSchema,
      guard<TrainableModelsParams, TrainableModelsResult | ResponseError<void>>(
        'trainable models',
        new ResponseError(ErrorCodes.InternalError, 'the models could not be analysed; see the ResNet language server log'),
        (params) => trainableModels(analysisOf(params.uri), params, settings.costs.memoryBudgetMiB, currentLocale()),
      ),
    ),
  );
  connection.onRequest(
    ArchitectureGraphRequest,
    checked(
      ArchitectureGraphRequest.method,
      ArchitectureGraphParamsSchema,
      guard('architecture graph', { kind: 'missing', message: 'The graph could not be computed; see the ResNet language server log.' } as const, (params: ArchitectureGraphParams) => {
        const a = analysisOf(params.uri);
        return a ? architectureGraphOf(a, params, settings.summary.batchSize, currentLocale()) : { kind: 'missing', message: 'Open the .resnet file to see its architecture.' };
      }),
    ),
  );
  connection.onRequest(
    ArchitectureCompareRequest,
    checked(
      ArchitectureCompareRequest.method,
      ArchitectureCompareParamsSchema,
      guard('architecture compare', { kind: 'missing', message: 'The comparison could not be computed; see the ResNet language server log.' } as const, (params: ArchitectureCompareParams) => {
        const a = analysisOf(params.uri);
        return a ? architectureCompare(a, params, settings.summary.batchSize, currentLocale()) : { kind: 'missing', message: 'Open the .resnet file to compare it.' };
      }),
    ),
  );
  connection.onRequest(
    ExperimentPlanRequest,
    checked(
      ExperimentPlanRequest.method,
      ExperimentPlanParamsSchema,
      guard('experiment plan', { kind: 'missing', message: 'The experiment could not be analysed; see the ResNet language server log.' } as const, (params: ExperimentPlanParams) =>
        experimentPlanFor(analysisOf(params.uri), params, sourcePathOf(params.uri)),
      ),
    ),
  );
  connection.onRequest(
    PaperTemplatesRequest,
    guard('paper templates', [], () => paperTemplates(currentLocale())),
  );

  documents.listen(connection);
  connection.listen();
}
