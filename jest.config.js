/** @type {import('jest').Config} */
// Type-checking is tsc's job (npm test runs it first); jest only transpiles, which is much faster.
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.test.json", diagnostics: { ignoreCodes: [151002] } }],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testTimeout: 60000,
  // Jest's default on 2 cores is one worker, so suites ran one after another while the live ones
  // mostly wait on the programs they drive; two workers use both cores.
  maxWorkers: 2,
};
