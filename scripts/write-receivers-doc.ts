import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { withReceiverDoc } from "../constructs/alertmanager/receivers-doc";
import { repoRoot } from "../e2e/tools";

// `npm run docs`: the README's receiver reference, from the zod schema.
const readme = path.join(repoRoot(), "README.md");
const before = readFileSync(readme, "utf8");
const after = withReceiverDoc(before);
if (after !== before) writeFileSync(readme, after);
process.stdout.write(`README.md receiver reference ${after === before ? "up to date" : "rewritten"}\n`);
