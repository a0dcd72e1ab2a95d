// The size budget (issue 19, item 4): what a cold visit to the sign-in page
// and to the Password & Security tab must fetch before the page can show
// (index.html, the CSS, the app's JavaScript and its main wasm module; both
// pages are in the main module, so no route chunk), in brotli bytes as the
// server sends them, against size-budget.toml. Fails the run when over.
//
//   node scripts/size-budget.mjs [dist] [size-budget.toml]
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const dist = process.argv[2] ?? 'dist';
const budgetFile = process.argv[3] ?? 'size-budget.toml';
const budget = Object.fromEntries(
  readFileSync(budgetFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => line.split('=').map((part) => part.trim()))
    .map(([key, value]) => [key, Number(value.replaceAll('_', ''))]),
);
const served = (file) => {
  const full = path.join(dist, file);
  return existsSync(`${full}.br`) ? statSync(`${full}.br`).size : statSync(full).size;
};
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const referenced = new Set(
  [...index.matchAll(/(?:href|from|module_or_path:)\s*=?\s*['"](\/[^'"]+\.(?:css|js|wasm))['"]/g)].map((m) => m[1].slice(1)),
);
const files = ['index.html', ...referenced];
const total = files.reduce((sum, f) => sum + served(f), 0);
let over = false;
for (const page of ['sign_in', 'security_tab']) {
  const limit = budget[page];
  if (!Number.isFinite(limit)) throw new Error(`${budgetFile} has no ${page} budget`);
  const verdict = total <= limit ? 'within' : 'OVER';
  over ||= total > limit;
  console.log(`${page}: ${total} B (brotli) of ${limit} B budget: ${verdict} (${files.join(', ')})`);
}
if (over) process.exit(1);
