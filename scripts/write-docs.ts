// `npm run docs`: everything generated into docs/ and README.md, from the code and the built-in
// presets (the alert registry is written before compiling, by scripts/alert-registry.js). Each
// output has a freshness test that fails while it is stale.
import * as path from "node:path";
import { writePictures } from "./render-pictures";
import { writeRunbooks } from "./write-runbooks";

const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
for (const line of [...writeRunbooks(root), ...writePictures(root)]) process.stdout.write(`wrote ${line}\n`);
