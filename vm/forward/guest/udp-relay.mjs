#!/usr/bin/env node
// Berth's UDP relay, run in the guest over an SSH exec channel by the host's forwarder:
//   node /opt/berth/forward/udp-relay.mjs <port> [<address>]
// SSH forwards only TCP, so the host frames each datagram a client sent to its UDP port and writes it
// here on stdin; this relay sends it to <address>:<port> (default 127.0.0.1, where the engine publishes
// the container's port) from a socket of that client's own, and frames the replies back on stdout.
//
// Frame: u32 peer id (big-endian), u16 payload length, payload (the same in vm/forward/udp-frame.ts).
// One UDP socket per peer id, so the service sees each host client as a distinct source and its
// replies reach the right one; a peer idle for BERTH_UDP_IDLE_MS (default 60 s) is forgotten.
// Plain Node, no dependencies: it runs on the guest's Node as a single file.
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const address = process.argv[3] || '127.0.0.1';
const idleMs = Number(process.env.BERTH_UDP_IDLE_MS) || 60_000;
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write('usage: udp-relay.mjs <port> [<address>]\n');
  process.exit(2);
}

const HEADER = 6;
/** @type {Map<number, { sock: dgram.Socket, last: number }>} */
const peers = new Map();

function send(peer, payload) {
  const head = Buffer.allocUnsafe(HEADER);
  head.writeUInt32BE(peer >>> 0, 0);
  head.writeUInt16BE(payload.length, 4);
  process.stdout.write(Buffer.concat([head, payload]));
}

function peerSocket(id) {
  let p = peers.get(id);
  if (!p) {
    const sock = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    p = { sock, last: Date.now() };
    const entry = p;
    sock.on('message', (msg) => {
      entry.last = Date.now();
      send(id, msg);
    });
    // A refused port (ICMP unreachable) or a full buffer loses a datagram: UDP's own semantics.
    sock.on('error', () => undefined);
    peers.set(id, p);
  }
  p.last = Date.now();
  return p.sock;
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let at = 0;
  while (pending.length - at >= HEADER) {
    const len = pending.readUInt16BE(at + 4);
    if (pending.length - at < HEADER + len) break;
    const id = pending.readUInt32BE(at);
    const payload = Buffer.from(pending.subarray(at + HEADER, at + HEADER + len));
    peerSocket(id).send(payload, port, address);
    at += HEADER + len;
  }
  pending = pending.subarray(at);
});

const sweep = setInterval(
  () => {
    const now = Date.now();
    for (const [id, p] of peers)
      if (now - p.last > idleMs) {
        p.sock.close();
        peers.delete(id);
      }
  },
  Math.min(idleMs, 10_000),
);

// The host closed the channel (forward removed, SSH gone): nothing more will come.
function finish() {
  clearInterval(sweep);
  for (const p of peers.values()) p.sock.close();
  peers.clear();
  process.exit(0);
}
process.stdin.on('end', finish);
process.stdin.on('error', finish);
process.stdout.on('error', finish);
