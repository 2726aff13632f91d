#!/usr/bin/env node
// The `callboard` command. The sources are TypeScript run through tsx (Node 20
// has no type stripping), so tsx's ESM loader is registered before the CLI is
// imported; the import is dynamic because a static one would be hoisted above
// register().
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/cli/index.ts");
await run(process.argv);
