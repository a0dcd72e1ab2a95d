// Compresses dist/ once at build time: a .br (brotli, highest quality) and a
// .gz (gzip -9) beside each text asset, which the server sends to browsers
// that accept them. Node's own zlib: nothing to install.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const compressible = /\.(wasm|js|css|html|svg|json|txt)$/;

function* files(root) {
  for (const name of readdirSync(root)) {
    const full = path.join(root, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (compressible.test(name)) yield full;
  }
}

for (const file of files(dir)) {
  const raw = readFileSync(file);
  writeFileSync(`${file}.br`, zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  }));
  writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
}
