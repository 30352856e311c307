// Validate KQL with Microsoft's Kusto.Language parser and binder (npm @kusto/language-service-next).
// stdin: {"tables": {name: {column: kqlType}}, "queries": {name: text}}
// stdout: {name: [{severity, code, message, start, length}]}  (errors and warnings)
"use strict";
const path = require("path");
const dir = path.dirname(require.resolve("@kusto/language-service-next/package.json"));
require(path.join(dir, "bridge.min.js")); // defines the Bridge.NET runtime as globals
require(path.join(dir, "Kusto.Language.Bridge.min.js"));
const K = global.Kusto.Language;

function globalsFor(tables) {
  const symbols = Object.entries(tables).map(([name, columns]) => {
    const schema = "(" + Object.entries(columns).map(([c, t]) => `${c}:${t}`).join(", ") + ")";
    return new K.Symbols.TableSymbol.$ctor7(name, schema, null);
  });
  return K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.$ctor1("workspace", symbols, false));
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const globals = globalsFor(request.tables);
  const result = {};
  for (const [name, text] of Object.entries(request.queries)) {
    const diagnostics = K.KustoCode.ParseAndAnalyze(text, globals).GetDiagnostics();
    result[name] = [];
    for (let i = 0; i < diagnostics.Count; i++) {
      const d = diagnostics.getItem(i);
      result[name].push({ severity: d.Severity, code: d.Code, message: d.Message, start: d.Start, length: d.Length });
    }
  }
  process.stdout.write(JSON.stringify(result));
});
