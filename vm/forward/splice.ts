import type { Duplex } from 'node:stream';

/**
 * Joins a host connection to an SSH channel, bytes both ways. Each direction ends on its own: a
 * client that half-closes (stdin EOF of `docker exec -i`, `docker attach`) sends EOF to the guest
 * while the guest's output keeps flowing back, and the other way round. Both sides must allow half
 * open (net servers with allowHalfOpen; ssh2 channels do). When either side fails or closes
 * completely, the other is torn down.
 */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      a.unpipe(b);
      b.unpipe(a);
      a.destroy();
      b.destroy();
      resolve();
    };
    a.pipe(b);
    b.pipe(a);
    a.on('error', finish);
    b.on('error', finish);
    a.on('close', finish);
    b.on('close', finish);
  });
}
