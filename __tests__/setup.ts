import { skipTokenStackTraces } from "../stacks/stack-traces";
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { removeTrackedTempDirs, tempDir, track } from "./helpers/temp";

Testing.setupJest();

// cdktf's Testing.app() and Testing.fullSynth() each make a temp outdir and never remove it (one
// folder per call); route them through the tracked temp folders of this test file.
const app = Testing.app.bind(Testing);
Testing.app = (options = {}) => app(options.outdir ? options : { ...options, outdir: tempDir("cdktf.outdir.") });
const fullSynth = Testing.fullSynth.bind(Testing);
Testing.fullSynth = (stack) => track(fullSynth(stack));

afterAll(removeTrackedTempDirs);
// Every suite builds stacks; cdktf's per-token stack traces only cost time here (see the module).
skipTokenStackTraces();
