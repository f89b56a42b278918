import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * The design's floors, bottom first. A file may import its own floor or one below it, never one
 * above: the spec (what an environment is) knows nothing of how it is rendered or deployed, and
 * the constructs know nothing of the stacks that compose them. Folders not listed (cli, diff, e2e,
 * scripts, tests) sit on top and may import anything.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["spec", "serialize"],
  ["rules"],
  ["dashboards"],
  ["constructs", ".gen"],
  ["stacks"],
];
/** The bottom floor imports nothing of ours outside its own folder. */
const SELF_CONTAINED = ["spec", "serialize"];

const ROOT = path.resolve(__dirname, "..");
const floorOf = (top: string): number => FLOORS.findIndex((f) => f.includes(top));

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [rel] : [];
  });
}

/** Relative module specifiers a file imports or re-exports (static, dynamic and require). */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) found.push(m[1]);
  return found;
}

const topFolder = (rel: string): string => rel.split(path.sep)[0];

describe("layering", () => {
  const files = FLOORS.flat().filter((d) => d !== ".gen").flatMap(sources);

  it("finds the files it checks", () => {
    for (const top of SELF_CONTAINED) expect(files.some((f) => topFolder(f) === top)).toBe(true);
    expect(files.length).toBeGreaterThan(80);
  });

  it("the parser sees every form of import", () => {
    const text = 'import { a } from "../x";\nexport * from "./y";\nconst z = require("../../z");\nawait import("./w");';
    expect(relativeImports(text)).toEqual(["../x", "./y", "../../z", "./w"]);
  });

  it("nothing imports a floor above its own", () => {
    const upward: string[] = [];
    for (const file of files) {
      const own = topFolder(file);
      for (const spec of relativeImports(readFileSync(path.join(ROOT, file), "utf8"))) {
        const target = topFolder(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)));
        if (target === own) continue;
        const allowed = SELF_CONTAINED.includes(own) ? false : floorOf(target) !== -1 && floorOf(target) <= floorOf(own);
        if (!allowed) upward.push(`${file} imports ${spec} (${target}/)`);
      }
    }
    expect(upward).toEqual([]);
  });
});
