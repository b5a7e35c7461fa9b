// `npm run icons`: renders build/icons/*.svg with Chromium (Debian's, through playwright-core) into the
// PNGs, .ico and .icns that packaging and the tray use. The results are committed, so that packaging needs
// no browser; run this again after changing an SVG (build/icons.test.ts notices a stale PNG).
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { encodeIcns, encodeIco, type Raster } from './icon-formats.ts';

export const iconsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');

/** The 16-pixel grid drawing is sharper up to 32 pixels; the full drawing above. */
const appSvg = (size: number) => (size <= 32 ? 'berth-small.svg' : 'berth.svg');

export interface PngOutput {
  file: string;
  svg: string;
  size: number;
}

/** Every PNG written: the set electron-builder takes for Linux (and the window icon), and the tray's. */
export const pngOutputs: PngOutput[] = [
  ...[16, 32, 48, 64, 128, 256, 512, 1024].map((size) => ({
    file: `png/${size}x${size}.png`,
    svg: appSvg(size),
    size,
  })),
  { file: 'tray.png', svg: 'berth-small.svg', size: 16 },
  { file: 'tray@2x.png', svg: 'berth-small.svg', size: 32 },
  // macOS draws menu bar icons from black-and-clear "Template" images in its own colours.
  { file: 'trayTemplate.png', svg: 'tray-template.svg', size: 16 },
  { file: 'trayTemplate@2x.png', svg: 'tray-template.svg', size: 32 },
];
export const icoSizes = [16, 24, 32, 48, 64, 128, 256];
export const icnsSizes = [16, 32, 64, 128, 256, 512, 1024];

export const svgDataUrl = (svg: string) =>
  `data:image/svg+xml;base64,${readFileSync(path.join(iconsDir, svg)).toString('base64')}`;

/** Draws an image URL on a size×size canvas in the page: its PNG and its straight RGBA. */
export async function rasterize(page: Page, url: string, size: number): Promise<Raster> {
  // A string, as the e2e tests do: page code is typed against the DOM, which this project's Node code is not.
  const { png, rgba } = (await page.evaluate(`(async () => {
    const img = new Image();
    img.src = ${JSON.stringify(url)};
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = ${size};
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, ${size}, ${size});
    const data = ctx.getImageData(0, 0, ${size}, ${size}).data;
    let bin = '';
    for (let i = 0; i < data.length; i++) bin += String.fromCharCode(data[i]);
    return { png: canvas.toDataURL('image/png').split(',')[1], rgba: btoa(bin) };
  })()`)) as { png: string; rgba: string };
  return { size, png: Buffer.from(png, 'base64'), rgba: Buffer.from(rgba, 'base64') };
}

export const launchIconBrowser = () =>
  chromium.launch({ executablePath: process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium' });

async function main(): Promise<void> {
  const browser = await launchIconBrowser();
  try {
    const page = await browser.newPage();
    await mkdir(path.join(iconsDir, 'png'), { recursive: true });
    for (const o of pngOutputs) {
      const r = await rasterize(page, svgDataUrl(o.svg), o.size);
      writeFileSync(path.join(iconsDir, o.file), r.png);
    }
    const app = async (size: number) => rasterize(page, svgDataUrl(appSvg(size)), size);
    const ico = await Promise.all(icoSizes.map(app));
    writeFileSync(path.join(iconsDir, 'icon.ico'), encodeIco(ico));
    const icns = new Map<number, Buffer>();
    for (const size of icnsSizes) icns.set(size, (await app(size)).png);
    writeFileSync(path.join(iconsDir, 'icon.icns'), encodeIcns(icns));
    console.log(`icons written to ${path.relative(process.cwd(), iconsDir) || '.'}`);
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
