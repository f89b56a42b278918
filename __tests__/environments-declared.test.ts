/**
 * Environments as configuration: an override file declares a new environment with `basedOn` a
 * preset; it is loaded, validated and synthesized like a preset, and appears in the one list
 * (environmentNames) right after its preset.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { synthesizeAll } from "../stacks/app";
import { environmentNames, loadAllEnvironments, loadEnvironment, readOverrides } from "../spec/load";
import { PRESETS } from "../spec/presets";
import { BUILT_IN_NAMES, builtIn } from "./helpers/environments";
import { tempDir } from "./helpers/temp";

function rootWith(yaml: string): string {
  const root = tempDir("civicpulse-declared-");
  writeFileSync(path.join(root, "monitoring.overrides.yaml"), yaml);
  return root;
}
const load = (yaml: string, name: string, env: NodeJS.ProcessEnv = {}) => loadEnvironment(name, { rootDir: rootWith(yaml), env });
const refused = (yaml: string) => () => readOverrides({ rootDir: rootWith(yaml), env: {} });

describe("a declared environment", () => {
  const QA = "qa:\n  basedOn: staging\n  team: qa-team\n  prometheus:\n    retentionTime: 2d\n";

  test("is its preset under its own name, with its own overrides on top", () => {
    const qa = load(QA, "qa");
    const staging = builtIn("staging");
    expect(qa.name).toBe("qa");
    expect(qa.team).toBe("qa-team");
    expect(qa.prometheus.retentionTime).toBe(2 * 86400 * 1000);
    // Everything else is staging's.
    expect(qa.alerts).toEqual(staging.alerts);
    expect(qa.services.app.traceSampleRatio).toBe(staging.services.app.traceSampleRatio);
    expect(qa.prometheus.externalLabels.environment ?? qa.name).toBe("qa");
  });

  test("comes right after its preset in the one list; several in the file's order", () => {
    const overrides = readOverrides({ rootDir: rootWith(`${QA}sandbox:\n  basedOn: dev\nqa2:\n  basedOn: staging\n`), env: {} });
    expect(overrides.declared).toEqual({ qa: "staging", sandbox: "dev", qa2: "staging" });
    const names = environmentNames(overrides);
    const at = (n: string) => names.indexOf(n);
    expect(names.filter((n) => BUILT_IN_NAMES.includes(n))).toEqual(BUILT_IN_NAMES);
    expect([at("qa"), at("qa2")]).toEqual([at("staging") + 1, at("staging") + 2]);
    expect(at("sandbox")).toBe(at("dev") + 1);
    expect(names).toHaveLength(BUILT_IN_NAMES.length + 3);
    expect(environmentNames({ declared: {} })).toEqual(Object.keys(PRESETS));
  });

  test("takes its own CIVICPULSE_<ENV>_ variables (a dash in the name is an underscore)", () => {
    expect(load(QA, "qa", { CIVICPULSE_QA_TEAM: "from-variable" }).team).toBe("from-variable");
    expect(load("qa-eu:\n  basedOn: prod\n", "qa-eu", { CIVICPULSE_QA_EU_TEAM: "eu" }).team).toBe("eu");
  });

  test("is validated by the same schema, and an error names its file's inputs", () => {
    expect(() => load("qa:\n  basedOn: staging\n  alerts:\n    RedisDown:\n      for: soon\n", "qa")).toThrow(/^environment qa is invalid:\n {2}- alerts\.RedisDown\.for: not a duration: "soon"/);
    expect(() => load("qa:\n  basedOn: staging\n  name: other\n", "qa")).toThrow(/the environment under the key qa must be named qa \(got "other"\)/);
  });

  test("is synthesized like a preset: monitoring-qa and grafana-qa, in deploy order", () => {
    const root = rootWith(QA);
    const outdir = path.join(tempDir("civicpulse-declared-out-"), "cdktf.out");
    const stacks = synthesizeAll({ rootDir: root, env: {}, outdir });
    const names = environmentNames(readOverrides({ rootDir: root, env: {} }));
    expect(stacks).toEqual([...names.map((n) => `monitoring-${n}`), ...names.map((n) => `grafana-${n}`)]);
    expect(loadAllEnvironments({ rootDir: root, env: {} }).map((s) => s.name)).toEqual(names);
    const rules = path.join(outdir, "stacks", "monitoring-qa", "rendered", "prometheus", "alerting_rules.yml");
    expect(existsSync(rules)).toBe(true);
    expect(readFileSync(rules, "utf8")).toContain("team: qa-team");
  });
});

describe("what the override file may not say", () => {
  test("an unknown environment without basedOn says how to declare one", () => {
    expect(refused("qa:\n  team: x\n")).toThrow(`unknown environment "qa" (presets: ${PRESET_LIST}; to declare a new environment, give it basedOn: <one of them>)`);
  });

  test("basedOn must name a preset", () => {
    expect(refused("qa:\n  basedOn: uat\n")).toThrow(`qa.basedOn: one of the presets ${PRESET_LIST} (got "uat")`);
    expect(refused("qa:\n  basedOn: [staging]\n")).toThrow(/qa\.basedOn: one of the presets .* \(got \["staging"\]\)/);
  });

  test("a preset cannot be re-based, and a new name must be usable as a stack id", () => {
    expect(refused("prod:\n  basedOn: dev\n")).toThrow(/prod\.basedOn: prod is a preset; basedOn declares a new environment under a new name/);
    expect(refused("QA_1:\n  basedOn: dev\n")).toThrow(/environment name "QA_1": lowercase letters, digits and dashes/);
    expect(refused("__proto__:\n  basedOn: dev\n")).toThrow(/environment name "__proto__"/);
  });

  test("a name not in the list is refused with the list", () => {
    const root = rootWith(QA_ONLY);
    const known = environmentNames(readOverrides({ rootDir: root, env: {} }));
    expect(known).toContain("qa");
    expect(() => loadEnvironment("uat", { rootDir: root, env: {} })).toThrow(`unknown environment "uat" (known: ${known.join(", ")})`);
  });
});

const QA_ONLY = "qa:\n  basedOn: staging\n";
const PRESET_LIST = Object.keys(PRESETS).join(", ");
