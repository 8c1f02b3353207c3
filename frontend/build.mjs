// Bundles src/editor.js (CodeMirror 6 and the SPARQL grammar) into one script and
// one style sheet for the query page: node build.mjs OUT_DIR
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { editor: "src/editor.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  legalComments: "eof",
  logLevel: "warning",
});
