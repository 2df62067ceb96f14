// Builds the canvas bundle into the Python package (graphbench/viz/canvas/bundle/) and writes
// SOURCE_HASH, the SHA-256 of the sources it was built from, which a test compares with the tree.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = new URL("../../graphbench/viz/canvas/bundle/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/main.js"], bundle: true, minify: true, format: "iife", target: "es2020",
  outfile: join(out, "canvas.js"), legalComments: "eof", logLevel: "info",
});
copyFileSync("src/index.html", join(out, "index.html"));

// same recipe as graphbench/viz/canvas/bundle_hash.py: each file's name and bytes, in name order
const files = ["build.mjs", "package.json", "package-lock.json", ...readdirSync("src").sort().map((f) => `src/${f}`)];
const hash = createHash("sha256");
for (const f of files.sort()) {
  hash.update(f + "\0");
  hash.update(readFileSync(f));
  hash.update("\0");
}
writeFileSync(join(out, "SOURCE_HASH"), hash.digest("hex") + "\n");
