// Copies the files the pages load from node_modules into static/vendor, where the service
// serves them with versioned URLs. Run by `npm run build` (the setup does it after `npm ci`).
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "vendor");

// [package file, name under static/vendor]
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["@event-calendar/build/dist/event-calendar.min.js", "event-calendar.min.js"],
  ["@event-calendar/build/dist/event-calendar.min.css", "event-calendar.min.css"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui-standalone-preset.js", "swagger-ui-standalone-preset.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
];

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(here, "node_modules", from), join(vendor, to));
}
console.log(`copied ${files.length} files into static/vendor`);
