// The warnings for settings that look inconsistent: the README's own override example is clean,
// and the same example with the probes left on the old host warns, naming both fields.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadEnvironment } from "../spec/load";
import { BUILT_IN_NAMES, EMPTY_ROOT } from "./helpers/environments";

const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const example = parse(/```yaml\n# monitoring\.overrides\.yaml\n([\s\S]*?)```/.exec(readme)![1]) as { prod: Record<string, any> };

function warnings(override: unknown, name = "prod"): string[] {
  const seen: string[] = [];
  loadEnvironment(name, { rootDir: EMPTY_ROOT, env: {}, warn: (m) => seen.push(m) }, { byEnvironment: { [name]: override }, declared: {} });
  return seen;
}

test("the README's override example loads without a warning", () => {
  expect(example.prod.targets.app).toEqual(["10.0.3.11:8000", "10.0.3.12:8000"]);
  expect(warnings(example.prod)).toEqual([]);
});

test("moving targets.app alone warns about the probe base URL and the OTel targets, naming both fields", () => {
  const seen = warnings({ ...example.prod, targets: { app: example.prod.targets.app } });
  expect(seen).toHaveLength(2);
  expect(seen[0]).toMatch(/^environment prod: targets\.appBaseUrl probes civicpulse-web, which is none of the hosts of targets\.app \(10\.0\.3\.11, 10\.0\.3\.12\)/);
  expect(seen[1]).toMatch(/^environment prod: targets\.appOtel scrapes civicpulse-web, not among the hosts of targets\.app/);
});

test("the built-in presets load without a warning", () => {
  for (const name of BUILT_IN_NAMES) expect({ name, warnings: warnings({}, name) }).toEqual({ name, warnings: [] });
});
