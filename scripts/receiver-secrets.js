#!/usr/bin/env node
// @ts-check
"use strict";
/**
 * The workflows' bridge from GitHub secrets to the receivers' sensitive Terraform variables.
 * Receivers are configuration (any number, any names), so a workflow cannot list their secrets;
 * instead every repository or environment secret named ALERTMANAGER_RECEIVER_<RECEIVER>_<FIELD>
 * becomes TF_VAR_alertmanager_receiver_<receiver>_<field> for the later steps of the job (GitHub
 * stores secret names upper-case; the variables are lower-case, dashes of receiver names already
 * underscores). Other secrets are not exported. Values are written with a random heredoc
 * delimiter, so a multi-line secret cannot inject other variables, and stay masked in logs.
 *
 * Usage (a workflow step): env SECRETS_JSON: ${{ toJSON(secrets) }}; run: node scripts/receiver-secrets.js
 */
const crypto = require("node:crypto");
const fs = require("node:fs");

const PREFIX = "ALERTMANAGER_RECEIVER_";

function main() {
  const target = process.env.GITHUB_ENV;
  if (!target) throw new Error("GITHUB_ENV is not set: run this as a GitHub Actions step");
  /** @type {Record<string, unknown>} */
  let secrets;
  try {
    secrets = JSON.parse(process.env.SECRETS_JSON ?? "{}");
  } catch (e) {
    throw new Error(`SECRETS_JSON is not JSON (${/** @type {Error} */ (e).message}): pass \${{ toJSON(secrets) }}`);
  }
  const names = Object.keys(secrets).filter((k) => k.startsWith(PREFIX) && /^[A-Z0-9_]+$/.test(k)).sort();
  let out = "";
  for (const name of names) {
    const value = String(secrets[name]);
    let delimiter;
    do delimiter = `EOF_${crypto.randomBytes(16).toString("hex")}`;
    while (value.includes(delimiter));
    out += `TF_VAR_${name.toLowerCase()}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  fs.appendFileSync(target, out);
  process.stdout.write(`receiver secrets: ${names.length} exported as TF_VAR_* (${names.map((n) => n.toLowerCase()).join(", ") || "none"})\n`);
}

try {
  main();
} catch (e) {
  // Nothing was appended: every check comes before the one write.
  process.stderr.write(`receiver-secrets: ${/** @type {Error} */ (e).message}\n`);
  process.exitCode = 1;
}
