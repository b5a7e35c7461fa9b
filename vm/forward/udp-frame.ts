// The UDP relay's framing, host side. The guest side (guest/udp-relay.mjs) is plain Node with no
// imports from here, so the format is written twice; udp-frame.test.ts runs the real relay against
// this file to keep the two in step.
//
// A frame is a 6-byte header, then the datagram: u32 peer id (big-endian), u16 payload length. The
// peer id names one client of the host's UDP port: the relay gives each id its own UDP socket in the
// guest, so the service's replies come back framed with the id of the client they answer.

export const headerBytes = 6;
/** The largest UDP payload over IPv4 (65535 − 20 IP − 8 UDP). */
export const maxPayload = 65_507;

export interface Frame {
  peer: number;
  payload: Buffer;
}

export function encodeFrame(peer: number, payload: Buffer): Buffer {
  if (payload.length > maxPayload) throw new RangeError(`datagram of ${payload.length} bytes is too large`);
  const head = Buffer.allocUnsafe(headerBytes);
  head.writeUInt32BE(peer >>> 0, 0);
  head.writeUInt16BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** Splits a byte stream (the relay's stdout) back into frames, however the stream cuts them. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    let at = 0;
    while (this.pending.length - at >= headerBytes) {
      const len = this.pending.readUInt16BE(at + 4);
      if (this.pending.length - at < headerBytes + len) break;
      out.push({
        peer: this.pending.readUInt32BE(at),
        // A copy: the pending buffer is reused for the next chunk.
        payload: Buffer.from(this.pending.subarray(at + headerBytes, at + headerBytes + len)),
      });
      at += headerBytes + len;
    }
    this.pending = this.pending.subarray(at);
    return out;
  }

  /** Bytes of a frame not complete yet. */
  get buffered(): number {
    return this.pending.length;
  }
}
