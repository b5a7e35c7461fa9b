#!/usr/bin/env node
// The `berth` command (package.json's bin): the bundled CLI once built (dist/berth.mjs, by
// `npm run build`, `npm start` or `npm test`), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundled = path.join(root, 'dist', 'berth.mjs');
let cli;
if (existsSync(bundled)) cli = await import(pathToFileURL(bundled).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(path.join(root, 'vm', 'cli', 'main.ts')).href);
}
process.exit(await cli.main(process.argv.slice(2)));
