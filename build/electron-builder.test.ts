// build/electron-builder.yml against electron-builder's own schema (app-builder-lib's scheme.json, checked
// with the ajv and the options electron-builder validates with), and the targets `npm run dist` makes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// app-builder-lib and its ajv are electron-builder's dependencies: found from where it is installed.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
const libRequire = createRequire(builderRequire.resolve('app-builder-lib/package.json'));

interface SchemaError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}
type Validate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
const { default: Ajv } = libRequire('ajv') as {
  default: new (opts: object) => { compile(schema: object): Validate };
};
const schema = JSON.parse(readFileSync(libRequire.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
// The options of app-builder-lib/out/util/config/schemaValidator.js.
const validate = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, strict: false }).compile(
  schema,
);

type Config = Record<string, unknown> & {
  mac?: { target?: unknown[] };
  win?: { target?: unknown[] };
  linux?: Record<string, unknown> & { target?: unknown[] };
};
const load = () => parse(readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8')) as Config;

/** The schema's complaints about a configuration, one string each. */
function problems(config: unknown): string[] {
  if (validate(config)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

test('electron-builder.yml matches electron-builder’s schema', () => {
  assert.deepEqual(problems(load()), []);
});

test('the schema check fails on an unknown key, at the top and inside a platform', () => {
  assert.match(problems({ ...load(), extraResource: [] }).join('\n'), /additionalProperty.*extraResource/);
  const config = load();
  assert.match(
    problems({ ...config, linux: { ...config.linux, targets: ['deb'] } }).join('\n'),
    /\/linux .*additionalProperty.*targets/,
  );
  assert.match(
    problems({ ...config, extraResources: [{ from: 'dist/vm', too: 'vm' }] }).join('\n'),
    /\/extraResources\/0 .*additionalProperty.*too/,
  );
});

test('the schema check fails on a value of the wrong type', () => {
  assert.match(
    problems({ ...load(), directories: 'dist/packages' }).join('\n'),
    /\/directories must be object/,
  );
  assert.match(problems({ ...load(), asar: 'yes' }).join('\n'), /\/asar must be/);
});

test('electron-builder.yml: dmg on macOS, nsis on Windows, AppImage and deb on Linux, for the arch asked', () => {
  const config = load();
  assert.ok(typeof config.appId === 'string' && /^[a-z0-9.-]+$/.test(config.appId));
  assert.equal(config.productName, 'Berth');
  assert.deepEqual(config.mac?.target, ['dmg']);
  assert.deepEqual(config.win?.target, ['nsis']);
  assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  assert.equal(
    pkg.main,
    'dist/electron/main.cjs',
    'the entry build/build-app.mjs writes, which `files` packs',
  );
});
