// The packaging config: the four installer targets, and that it packs what `npm start -- --build` makes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface TargetEntry {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: string[];
  extraResources?: { from: string; to: string }[];
  mac?: { target?: TargetEntry[] };
  win?: { target?: TargetEntry[] };
  linux?: { target?: TargetEntry[] };
}

const config = parse(readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8')) as BuilderConfig;
const targets = (t?: TargetEntry[]) => (t ?? []).map((x) => x.target);

test('electron-builder.yml: dmg, nsis, AppImage and deb targets', () => {
  assert.ok(config.appId && /^[a-z0-9.-]+$/.test(config.appId));
  assert.equal(config.productName, 'Berth');
  assert.deepEqual(targets(config.mac?.target), ['dmg']);
  assert.deepEqual(targets(config.win?.target), ['nsis']);
  assert.deepEqual(targets(config.linux?.target).sort(), ['AppImage', 'deb']);
});

test('electron-builder.yml packs the built app, package.json main and the VM image', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  assert.equal(pkg.main, 'dist/electron/main.cjs');
  assert.ok(config.files?.includes('dist/electron/**'));
  assert.ok(config.files?.includes('dist/renderer/**'));
  assert.ok(
    config.extraResources?.some((r) => r.to === 'vm'),
    'the VM image ships as an extra resource',
  );
});
