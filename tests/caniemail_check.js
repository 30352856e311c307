// Lint email HTML against the caniemail data (npm @jsx-email/doiuse-email), for tests/test_email_caniemail.py.
// stdin: {"clients": ["outlook.windows", ...], "documents": {name: html}}
// stdout: {name: {"errors": [...], "warnings": [...]}}  (each message once)
"use strict";
const { DoIUseEmail } = require("@jsx-email/doiuse-email");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const result = {};
  for (const [name, html] of Object.entries(request.documents)) {
    // The package's client list lacks Outlook.com, although its data has it ("outlook.outlook-com"):
    // construct with a listed client, then check the clients asked for.
    const checker = new DoIUseEmail({ emailClients: ["outlook.windows"] });
    checker.emailClients = request.clients;
    const report = checker.check(html);
    result[name] = { errors: [...new Set(report.errors || [])], warnings: [...new Set(report.warnings || [])] };
  }
  process.stdout.write(JSON.stringify(result));
});
