/**
 * cdktf records a full stack trace for every token it creates (Error.captureStackTrace onto a plain
 * object, read at once as text), for an error message it almost never prints; formatting those
 * traces was a tenth of synth. With this formatter, traces captured onto plain objects come out
 * empty; real errors keep theirs, formatted as before.
 */
function formatterSkippingTokens(prior: typeof Error.prepareStackTrace) {
  return (error: Error, frames: NodeJS.CallSite[]): string => {
    if (!(error instanceof Error)) return "";
    if (prior) return prior(error, frames) as string;
    return `${String(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
  };
}

/** Captures frames only onto errors: a plain object (a cdktf token) keeps its empty `stack`. */
function captureSkippingTokens(capture: typeof Error.captureStackTrace): typeof Error.captureStackTrace {
  return (target: object, constructorOpt?: Function) => {
    if (target instanceof Error) capture(target, constructorOpt);
  };
}

/** Runs `fn` with token stack traces skipped, then restores the previous formatter. */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const prior = Error.prepareStackTrace;
  const capture = Error.captureStackTrace;
  Error.prepareStackTrace = formatterSkippingTokens(prior);
  Error.captureStackTrace = captureSkippingTokens(capture);
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = prior;
    Error.captureStackTrace = capture;
  }
}

/** For a whole process that builds stacks many times (the jest suites). */
export function skipTokenStackTraces(): void {
  Error.prepareStackTrace = formatterSkippingTokens(Error.prepareStackTrace);
}
