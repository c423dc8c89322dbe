// Throwaway probe extension for test/e2e/harness.test.ts. Plain CommonJS, no dependencies.
// Everything it shows carries a fixed marker text so that the test can find it in the DOM.
"use strict";
const vscode = require("vscode");

const SELECTOR = { language: "resnet" };

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  const diagnostics = vscode.languages.createDiagnosticCollection("resnet-probe");
  context.subscriptions.push(diagnostics);

  /** One warning on the first line that contains "conv", else on line 1. */
  const refresh = (/** @type {vscode.TextDocument} */ doc) => {
    if (doc.languageId !== "resnet") return;
    let line = 0;
    for (let i = 0; i < doc.lineCount; i++) {
      if (doc.lineAt(i).text.includes("conv")) { line = i; break; }
    }
    const range = doc.lineAt(line).range;
    const diag = new vscode.Diagnostic(range, "PROBE-DIAG: shortcut shape mismatch", vscode.DiagnosticSeverity.Warning);
    diag.source = "resnet-probe";
    diagnostics.set(doc.uri, [diag]);
  };
  vscode.workspace.textDocuments.forEach(refresh);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => refresh(e.document)),
  );

  context.subscriptions.push(
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(doc, pos) {
        const word = doc.getText(doc.getWordRangeAtPosition(pos));
        return new vscode.Hover(new vscode.MarkdownString(`PROBE-HOVER: \`${word}\` at ${pos.line + 1}:${pos.character + 1}`));
      },
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      provideCodeLenses(doc) {
        return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
          title: `PROBE-LENS: ${doc.lineCount} lines`,
          command: "resnetProbe.sayHello",
        })];
      },
    }),
    vscode.languages.registerInlayHintsProvider(SELECTOR, {
      provideInlayHints(doc, range) {
        const hints = [];
        for (let i = range.start.line; i <= range.end.line && i < doc.lineCount; i++) {
          const text = doc.lineAt(i).text;
          if (text.trim().length === 0) continue;
          const hint = new vscode.InlayHint(new vscode.Position(i, text.length), ` PROBE-HINT:${i + 1}`, vscode.InlayHintKind.Type);
          hints.push(hint);
        }
        return hints;
      },
    }),
    vscode.commands.registerCommand("resnetProbe.sayHello", () => {
      vscode.window.showInformationMessage("PROBE-COMMAND: hello from the probe");
    }),
  );
  console.log("[resnet-e2e-probe] activated");
}

function deactivate() {}

module.exports = { activate, deactivate };
