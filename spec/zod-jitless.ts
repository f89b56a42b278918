import { z } from "zod";

// One synth validates each environment once: compiling zod's fast paths (a new Function per
// object schema) costs more than it saves. zod reads the setting when a schema is created, so
// this module is imported before any module that declares one. Validation is the same either way.
z.config({ jitless: true });
