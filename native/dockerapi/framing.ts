/** Docker's multiplexed stream frame: [stream, 0, 0, 0, size(4, big endian)] then the payload. */
export const streamIds = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;
export type StreamName = keyof typeof streamIds;

export function frame(stream: StreamName, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = streamIds[stream];
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits a multiplexed byte stream back into frames (used by tests and the UI's clients). */
export class FrameDecoder {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: number; payload: Buffer }> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Array<{ stream: number; payload: Buffer }> = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push({ stream: this.buf[0], payload: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }

  get pending(): number {
    return this.buf.length;
  }
}
