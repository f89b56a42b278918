import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * Temp folders of a test file, removed after its last test (__tests__/setup.ts registers the
 * clean-up), so `npm test` leaves nothing in the temp folder; scripts/test.sh fails when it does.
 */
const created: string[] = [];

export function track(dir: string): string {
  created.push(dir);
  return dir;
}

export function tempDir(prefix: string): string {
  return track(mkdtempSync(path.join(tmpdir(), prefix)));
}

export function removeTrackedTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
