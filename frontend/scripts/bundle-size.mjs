// Prints the gzipped size of the built JavaScript and CSS and fails above the budget.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 500;
const dir = new URL('../dist/assets/', import.meta.url).pathname;
let totalJs = 0;
const rows = [];
for (const name of readdirSync(dir).sort()) {
  if (!/\.(js|css)$/.test(name)) continue;
  const raw = readFileSync(join(dir, name));
  const gz = gzipSync(raw, { level: 9 }).length;
  if (name.endsWith('.js')) totalJs += gz;
  rows.push([name, statSync(join(dir, name)).size, gz]);
}
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + ' KB';
console.log('\nbundle size (raw, gzipped):');
for (const [name, raw, gz] of rows) console.log(`  ${name.padEnd(40)} ${kb(raw)} ${kb(gz)}`);
console.log(`  ${'total JavaScript, gzipped'.padEnd(40)} ${' '.repeat(11)} ${kb(totalJs)}  (budget ${BUDGET_KB} KB)`);
if (totalJs > BUDGET_KB * 1024) {
  console.error(`JavaScript bundle over budget: ${(totalJs / 1024).toFixed(1)} KB > ${BUDGET_KB} KB gzipped`);
  process.exit(1);
}
