// The northstar extension: starts `northstar lsp` for the workspace and
// connects it to Markdown and YAML files. Everything the editor shows
// (diagnostics, completion, hover, navigation, rename, quick fixes,
// symbols) comes from the server; this file only starts it.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

// The binary: the `northstar.path` setting, else `northstar` on PATH.
function command(): string {
  const configured = vscode.workspace
    .getConfiguration("northstar")
    .get<string>("path");
  return configured && configured.trim() !== "" ? configured : "northstar";
}

async function start(): Promise<void> {
  const server: ServerOptions = { command: command(), args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "yaml" },
    ],
  };
  client = new LanguageClient("northstar", "northstar", server, options);
  await client.start();
}

export async function activate(
  context: vscode.ExtensionContext,
): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("northstar.restart", async () => {
      await client?.stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("northstar.path")) {
        await client?.stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
