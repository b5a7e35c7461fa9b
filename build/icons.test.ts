// The committed icon set: every file electron-builder and the tray take, at its size and in its format,
// the .ico and .icns as Windows and macOS read them, and each PNG still what its SVG draws.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { encodeIco, icnsTypes, pngSize, readIcns, readIco } from './icon-formats.ts';
import {
  icnsSizes,
  iconsDir,
  icoSizes,
  launchIconBrowser,
  pngOutputs,
  rasterize,
  svgDataUrl,
} from './render-icons.ts';

const root = path.resolve(iconsDir, '../..');
const read = (f: string) => readFileSync(path.join(iconsDir, f));

test('every PNG exists at its size', () => {
  for (const o of pngOutputs) {
    const { width, height } = pngSize(read(o.file));
    assert.deepEqual([width, height], [o.size, o.size], o.file);
  }
  assert.deepEqual(
    readdirSync(path.join(iconsDir, 'png')).sort(),
    [16, 32, 48, 64, 128, 256, 512, 1024].map((s) => `${s}x${s}.png`).sort(),
  );
});

test('icon.ico: BMP entries up to 128 pixels and a PNG at 256, each the size its entry says', () => {
  const entries = readIco(read('icon.ico'));
  assert.deepEqual(
    entries.map((e) => e.size),
    icoSizes,
  );
  for (const e of entries) {
    if (e.size === 256) {
      assert.equal(e.format, 'png');
      assert.equal(pngSize(e.data).width, 256);
    } else {
      assert.equal(e.format, 'bmp');
      assert.equal(e.data.readInt32LE(4), e.size);
      assert.equal(e.data.readInt32LE(8), e.size * 2);
      assert.equal(e.data.readUInt16LE(14), 32);
      assert.equal(e.data.length, 40 + e.size * e.size * 4 + Math.ceil(e.size / 32) * 4 * e.size);
    }
  }
});

test('a BMP entry holds the pixels bottom row first in BGRA, with the mask set where they are clear', () => {
  const size = 16;
  const rgba = Buffer.alloc(size * size * 4);
  rgba.set([10, 20, 30, 255], 0); // top left: opaque
  rgba.set([40, 50, 60, 128], ((size - 1) * size + 1) * 4); // bottom row, second pixel: half clear
  const [entry] = readIco(encodeIco([{ size, rgba, png: Buffer.alloc(0) }]));
  const px = (x: number, y: number) => {
    const at = 40 + ((size - 1 - y) * size + x) * 4;
    return [...entry.data.subarray(at, at + 4)];
  };
  assert.deepEqual(px(0, 0), [30, 20, 10, 255]);
  assert.deepEqual(px(1, size - 1), [60, 50, 40, 128]);
  const mask = 40 + size * size * 4;
  const maskBit = (x: number, y: number) =>
    (entry.data[mask + (size - 1 - y) * 4 + (x >> 3)] >> (7 - (x & 7))) & 1;
  assert.equal(maskBit(0, 0), 0);
  assert.equal(maskBit(1, size - 1), 0);
  assert.equal(maskBit(5, 5), 1);
});

test('icon.icns: every PNG element type, each at its size, up to 1024 pixels', () => {
  const elements = readIcns(read('icon.icns'));
  assert.deepEqual(
    elements.map((e) => e.type),
    Object.keys(icnsTypes),
  );
  for (const e of elements) assert.equal(pngSize(e.data).width, icnsTypes[e.type], e.type);
  assert.deepEqual(
    [...new Set(Object.values(icnsTypes))].sort((a, b) => a - b),
    icnsSizes,
  );
});

test('electron-builder.yml names these icons, so that packaging converts nothing', () => {
  const config = parse(readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8')) as Record<
    'mac' | 'win' | 'linux',
    { icon: string }
  >;
  assert.equal(readIcns(readFileSync(path.join(root, config.mac.icon))).at(-1)?.type, 'ic10');
  assert.equal(Math.max(...readIco(readFileSync(path.join(root, config.win.icon))).map((e) => e.size)), 256);
  assert.ok(existsSync(path.join(root, config.linux.icon, '512x512.png')));
});

const chromium = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
let browser: Browser | null = null;
let page: Page | null = null;
before(async () => {
  if (!existsSync(chromium)) return;
  browser = await launchIconBrowser();
  page = await browser.newPage();
});
after(() => browser?.close());

test('each PNG is what its SVG draws now (after changing an SVG, run npm run icons)', {
  skip: existsSync(chromium) ? false : `no Chromium at ${chromium} to draw the SVGs with`,
}, async () => {
  for (const o of pngOutputs) {
    const fresh = await rasterize(page!, svgDataUrl(o.svg), o.size);
    const committed = await rasterize(
      page!,
      `data:image/png;base64,${read(o.file).toString('base64')}`,
      o.size,
    );
    let off = 0;
    for (let i = 0; i < fresh.rgba.length; i += 4) {
      for (let c = 0; c < 4; c++) {
        if (Math.abs(fresh.rgba[i + c] - committed.rgba[i + c]) > 16) {
          off++;
          break;
        }
      }
    }
    // Room for another Chromium's anti-aliasing; a changed drawing moves far more pixels.
    assert.ok(off <= (o.size * o.size) / 100, `${o.file}: ${off} pixels differ from ${o.svg}`);
  }
});
