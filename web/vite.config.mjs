/**
 * The wallboard's build: Preact through Vite's own JSX transform (Oxc), no
 * Babel preset. `npm install` runs it (the `prepare` script), so a fresh clone
 * serves a built board at `/` with no other step.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The server marks everything under /assets/ immutable: only hashed names go there.
    assetsDir: "assets",
    sourcemap: false,
  },
});
