// Says `ready` on the progress port once berthd answers GET /_ping on the guest's loopback port, the
// address the host reaches it at, and on its socket; or `error berthd …` with the last line of its log
// when it never does. (Node rather than busybox's wget, which crashes in its static build's resolver.)
// Usage: node ready.mjs PORT   (ready.sh passes the configured dockerTcpPort)
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';

const port = Number(process.argv[2] || 2375);
const socketPath = '/run/berth/docker.sock';
const progress = '/dev/.berth-progress';
const deadlineMs = Number(process.env.BERTH_READY_TIMEOUT_MS || 600_000);

function say(line) {
  for (const [file, text] of [
    ['/dev/kmsg', `berth: ${line}\n`],
    [progress, `${line}\n`],
  ]) {
    try {
      appendFileSync(file, text);
    } catch {}
  }
}

function ping(target) {
  return new Promise((resolve) => {
    const req = http.get({ ...target, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const answers = async () => (await ping({ host: '127.0.0.1', port })) && (await ping({ socketPath }));
const start = Date.now();
while (!(await answers())) {
  if (Date.now() - start > deadlineMs) {
    let last = '';
    try {
      last = readFileSync('/var/log/berth/berthd.log', 'utf8').trim().split('\n').pop() ?? '';
    } catch {}
    say(
      `error berthd no answer at 127.0.0.1:${port} and ${socketPath} after ${deadlineMs / 1000} s: ${last}`,
    );
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}
const uptime = readFileSync('/proc/uptime', 'utf8').split(' ')[0];
say(`ready berthd answers at 127.0.0.1:${port} and ${socketPath} (${uptime} s since boot)`);
