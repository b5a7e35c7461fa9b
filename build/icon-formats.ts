// Windows .ico and macOS .icns files from rendered PNGs, written here so that packaging needs no icon tool
// (electron-builder's own converter downloads one). Readers of both, for the tests.

export interface Raster {
  size: number;
  png: Buffer;
  /** Straight (not premultiplied) RGBA, top row first. */
  rgba: Buffer;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngSize(png: Buffer): { width: number; height: number } {
  if (
    png.length < 24 ||
    !png.subarray(0, 8).equals(pngSignature) ||
    png.toString('latin1', 12, 16) !== 'IHDR'
  )
    throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A 32-bit BMP entry: header, BGRA rows bottom-up, then the 1-bit AND mask (set where fully clear). */
function dib({ size, rgba }: Raster): Buffer {
  const maskRow = Math.ceil(size / 32) * 4;
  const out = Buffer.alloc(40 + size * size * 4 + maskRow * size);
  out.writeUInt32LE(40, 0);
  out.writeInt32LE(size, 4);
  out.writeInt32LE(size * 2, 8); // colour rows plus mask rows
  out.writeUInt16LE(1, 12);
  out.writeUInt16LE(32, 14);
  out.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const maskStart = 40 + size * size * 4;
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 4;
      const dst = 40 + (row * size + x) * 4;
      out[dst] = rgba[src + 2];
      out[dst + 1] = rgba[src + 1];
      out[dst + 2] = rgba[src];
      out[dst + 3] = rgba[src + 3];
      if (rgba[src + 3] === 0) out[maskStart + row * maskRow + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}

/**
 * An .ico: sizes under 256 as BMP entries (what every Windows version and NSIS read), 256 as PNG
 * (what Windows reads for that size, at a fraction of the bytes).
 */
export function encodeIco(rasters: Raster[]): Buffer {
  const sorted = [...rasters].sort((a, b) => a.size - b.size);
  const images = sorted.map((r) => (r.size >= 256 ? r.png : dib(r)));
  const head = Buffer.alloc(6 + 16 * sorted.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(sorted.length, 4);
  let offset = head.length;
  sorted.forEach((r, i) => {
    const e = 6 + 16 * i;
    head[e] = r.size >= 256 ? 0 : r.size;
    head[e + 1] = r.size >= 256 ? 0 : r.size;
    head.writeUInt16LE(1, e + 4);
    head.writeUInt16LE(32, e + 6);
    head.writeUInt32LE(images[i].length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += images[i].length;
  });
  return Buffer.concat([head, ...images]);
}

export interface IcoEntry {
  size: number;
  format: 'png' | 'bmp';
  data: Buffer;
}

export function readIco(buf: Buffer): IcoEntry[] {
  if (buf.length < 6 || buf.readUInt16LE(0) !== 0 || buf.readUInt16LE(2) !== 1)
    throw new Error('not an .ico file');
  return Array.from({ length: buf.readUInt16LE(4) }, (_, i) => {
    const e = 6 + 16 * i;
    const data = buf.subarray(buf.readUInt32LE(e + 12), buf.readUInt32LE(e + 12) + buf.readUInt32LE(e + 8));
    const format = data.subarray(0, 8).equals(pngSignature) ? 'png' : 'bmp';
    return { size: buf[e] || 256, format, data };
  });
}

/** The icns element types that hold PNG data, by the pixel size of their image. */
export const icnsTypes: Record<string, number> = {
  icp4: 16,
  icp5: 32,
  ic11: 32, // 16@2x
  ic12: 64, // 32@2x
  ic07: 128,
  ic13: 256, // 128@2x
  ic08: 256,
  ic14: 512, // 256@2x
  ic09: 512,
  ic10: 1024, // 512@2x
};

/** An .icns with every PNG element type, from PNGs by size (16, 32, 64, 128, 256, 512 and 1024 needed). */
export function encodeIcns(pngs: Map<number, Buffer>): Buffer {
  const elements = Object.entries(icnsTypes).map(([type, size]) => {
    const png = pngs.get(size);
    if (!png) throw new Error(`icns: no ${size}×${size} PNG for ${type}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + elements.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

export function readIcns(buf: Buffer): { type: string; data: Buffer }[] {
  if (buf.toString('latin1', 0, 4) !== 'icns' || buf.readUInt32BE(4) !== buf.length)
    throw new Error('not an .icns file');
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at + 4);
    if (len < 8 || at + len > buf.length) throw new Error(`.icns element at ${at} runs past the file`);
    out.push({ type: buf.toString('latin1', at, at + 4), data: buf.subarray(at + 8, at + len) });
    at += len;
  }
  return out;
}
