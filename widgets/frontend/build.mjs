// Builds the learner app's front-end into the app template's static folder (make frontend).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || path.join(here, "../../leerpad/share/jupyter/voila/templates/leerpad/static");

await build({
  entryPoints: { "leerpad-app": path.join(here, "src/app.js") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  legalComments: "linked",
  assetNames: "[name]-[hash]",
  loader: { ".svg": "dataurl", ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  // see src/sanitize.js
  alias: { "sanitize-html": path.join(here, "src/sanitize.js") },
  logLevel: "warning",
});
