// Bundles src/editor.js (CodeMirror 6 and the SPARQL grammar) into one script and one
// style sheet for the query page, with the licences of the packages bundled:
// node build.mjs OUT_DIR  ->  editor.js, editor.css, editor-licences.txt
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { editor: "src/editor.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  legalComments: "eof",
  logLevel: "warning",
  metafile: true,
});

// Every npm package with code in the bundle, with its version and licence text.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const parts = [
  "The query editor bundles these npm packages (installed from the npm registry when",
  "the coedp package is built). Their licences follow.",
  "",
];
for (const name of [...packages].sort()) {
  const dir = join("node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  parts.push("=".repeat(78), `${name} ${meta.version} (${meta.license || "see below"})`, "");
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"].map((f) => join(dir, f)).find(existsSync);
  parts.push(file ? readFileSync(file, "utf8").trim() : "(no licence file in the package)", "");
}
writeFileSync(join(out, "editor-licences.txt"), parts.join("\n") + "\n");
