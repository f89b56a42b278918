// Property: every override that synth accepts gives files the real tools accept. fast-check
// generates prod overrides from the schema's own constraints (1 to 4 fields each, mostly inside
// the bounds, some outside), writes them as the override file, and runs the real load + synth;
// the outcome must be a message naming a field (no stack trace) or output that passes promtool
// check config, promtool check rules and amtool check-config.
//
// Fixed seed and a bounded number of runs; PROPERTY_RUNS=<n> (and PROPERTY_SEED=<n>) for more.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { deepMerge } from "../spec/load";
import { environmentSpecSchema } from "../spec/environment";
import { leavesOf, nest } from "./helpers/schema-arbitrary";
import { looksLikeStackTrace, synthOneAndCheck } from "./helpers/synth-check";
import { tempDir } from "./helpers/temp";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261202);

// The environment's name is fixed by its key (a different one is rejected, tested elsewhere).
const leaves = leavesOf(environmentSpecSchema).filter((l) => l.path.join(".") !== "name");

const override = fc
  .uniqueArray(fc.integer({ min: 0, max: leaves.length - 1 }), { minLength: 1, maxLength: 4 })
  .chain((picked) => fc.tuple(...picked.map((i) => leaves[i].arbitrary.map((v) => nest(leaves[i].path, v)))))
  .map((parts) => parts.reduce((acc, part) => deepMerge(acc, part), {} as unknown));

describe("generated overrides", () => {
  it(`${RUNS} generated prod overrides (seed ${SEED}): each rejected with a message or valid for promtool and amtool`, () => {
    expect(leaves.length).toBeGreaterThan(150);
    const rootDir = tempDir("civicpulse-property-");
    const file = path.join(rootDir, "monitoring.overrides.yaml");
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(override, (input) => {
        writeFileSync(file, stringify({ prod: input }));
        const outcome = synthOneAndCheck("prod", { rootDir, env: {} });
        if (outcome.kind === "crashed") throw new Error(`crashed:\n${outcome.message}`);
        if (outcome.kind === "rejected") {
          seen.rejected++;
          if (looksLikeStackTrace(outcome.message)) throw new Error(`a stack trace instead of a message:\n${outcome.message}`);
          if (!/\bprod\b/.test(outcome.message)) throw new Error(`a message without the environment:\n${outcome.message}`);
          return;
        }
        seen.accepted++;
        if (outcome.problems.length) throw new Error(`accepted, but the real tools reject it:\n${outcome.problems.join("\n")}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Not vacuous: a fair share of the generated specs got through to the tools.
    expect(seen.accepted).toBeGreaterThanOrEqual(Math.ceil(RUNS / 4));
    if (process.env.PROPERTY_REPORT) process.stdout.write(`property: ${seen.accepted} accepted and valid, ${seen.rejected} rejected with a message\n`);
  });
});
