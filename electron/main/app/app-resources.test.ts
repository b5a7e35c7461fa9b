// Where the shell finds berthd and its icons, in a checkout. (Where a package puts them, and that the
// packaged paths find them, is build/packaging/builder-run.test.ts.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appResources } from './app-resources.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const checkout = (platform: NodeJS.Platform) =>
  appResources({ packaged: false, appPath: root, resourcesPath: '/nowhere', platform, arch: 'x64' });

test('in a checkout: berthd from dist/, the coloured tray icon, the template one on macOS', () => {
  const linux = checkout('linux');
  assert.equal(linux.berthdScript, path.join(root, 'dist/berthd.js'));
  // The agent is the checkout's `berth` command, which finds berthd and the image in dist/ itself.
  assert.equal(linux.agentEntry, path.join(root, 'vm/cli/berth.mjs'));
  assert.ok(existsSync(linux.agentEntry));
  assert.deepEqual(linux.agentEnv, {});
  const mac = checkout('darwin');
  assert.notEqual(mac.trayIcon, linux.trayIcon);
  assert.match(path.basename(mac.trayIcon), /^[^.]+Template\.png$/, 'macOS tints only *Template images');
  for (const icon of [linux.trayIcon, mac.trayIcon, linux.windowIcon]) {
    assert.ok(existsSync(icon), icon);
    assert.ok(existsSync(icon.replace(/\.png$/, '@2x.png')) || icon === linux.windowIcon, `${icon} @2x`);
  }
});

test('packaged: berthd and the agent beside the asar, told where berthd and the image of the arch are', () => {
  const at = (arch: NodeJS.Architecture) =>
    appResources({
      packaged: true,
      appPath: '/opt/Berth/resources/app.asar',
      resourcesPath: '/opt/Berth/resources',
      platform: 'linux',
      arch,
    });
  const r = at('x64');
  assert.equal(r.berthdScript, '/opt/Berth/resources/berthd/berthd.mjs');
  assert.equal(r.agentEntry, '/opt/Berth/resources/berthd/berth.mjs');
  assert.deepEqual(r.agentEnv, {
    BERTH_BERTHD_SCRIPT: '/opt/Berth/resources/berthd/berthd.mjs',
    BERTH_VM_IMAGE: '/opt/Berth/resources/vm/x86_64',
  });
  assert.equal(at('arm64').agentEnv.BERTH_VM_IMAGE, '/opt/Berth/resources/vm/aarch64');
  assert.ok(r.trayIcon.startsWith('/opt/Berth/resources/app.asar/'));
});
