// The last step of scripts/build-spa.sh: the split app's files get content
// hashes in their names (so they can be cached as immutable), their
// references to each other follow, they are copied into dist/, and
// dist/index.html gets the script that starts the app with preloads for its
// main module (the sign-in page and the Password & Security tab are in it;
// every other page is a chunk fetched when first opened).
//
//   node scripts/link-split.mjs <staging dir> <dist dir>
//
// The staging dir holds wasm-bindgen's mfa-app.js and mfa-app_bg.wasm, and
// wasm-split-cli's __wasm_split.js with its chunks (*.wasm), all optimised.
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [staging, dist] = process.argv.slice(2);
const hash = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
};
const read = (name) => readFileSync(path.join(staging, name));

// Chunks reference nothing: each is named by its own content.
let linker = read('__wasm_split.js').toString();
const chunks = readdirSync(staging).filter((f) => f.endsWith('.wasm') && f !== 'mfa-app_bg.wasm');
for (const chunk of chunks) {
  const named = `${chunk.replace(/\.wasm$/, '')}-${hash(read(chunk))}.wasm`;
  copyFileSync(path.join(staging, chunk), path.join(dist, named));
  const before = linker;
  linker = linker.replaceAll(`"./${chunk}"`, `"./${named}"`);
  if (linker === before) throw new Error(`__wasm_split.js does not load ${chunk}`);
}

// The main module's glue and the loader import each other: one hash of
// all three names them.
let glue = read('mfa-app.js').toString();
const wasm = read('mfa-app_bg.wasm');
const h = hash(wasm, glue, linker);
const names = { glue: `mfa-app-${h}.js`, wasm: `mfa-app-${h}_bg.wasm`, linker: `wasm-split-${h}.js` };
const replaceAll = (text, from, to, what) => {
  if (!text.includes(from)) throw new Error(`${what} does not mention ${from}`);
  return text.replaceAll(from, to);
};
// (Only the ES imports: the wasm's own import module keeps its name.)
glue = replaceAll(glue, 'from "./__wasm_split.js"', `from "./${names.linker}"`, 'mfa-app.js');
linker = replaceAll(linker, '"./mfa-app.js"', `"./${names.glue}"`, '__wasm_split.js');
writeFileSync(path.join(dist, names.glue), glue);
writeFileSync(path.join(dist, names.linker), linker);
writeFileSync(path.join(dist, names.wasm), wasm);

// The page starts the app; its main module downloads beside the page's
// first API call (/api/me, preloaded by index.html).
const start = `<script type="module">
import init from '/${names.glue}';
await init({ module_or_path: '/${names.wasm}' });
</script>
<link rel="modulepreload" href="/${names.glue}">
<link rel="modulepreload" href="/${names.linker}">
<link rel="preload" href="/${names.wasm}" as="fetch" type="application/wasm" crossorigin="anonymous">
`;
const indexPath = path.join(dist, 'index.html');
// Trunk's placeholder for the app it did not build goes too.
const index = readFileSync(indexPath, 'utf8').replace(/[ \t]*<link data-trunk rel="rust"[^>]*>\n?/, '');
writeFileSync(indexPath, replaceAll(index, '</head>', `${start}</head>`, 'index.html'));
console.log(`linked ${names.glue}, ${names.wasm}, ${names.linker} and ${chunks.length} chunks`);
