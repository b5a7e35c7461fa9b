// The benchmarks' Kubernetes API client: HTTPS with the admin kubeconfig's client certificate,
// keep-alive for requests, a socket of its own per watch.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';

export interface Client {
  request(
    method: string,
    path: string,
    body?: unknown,
    accept?: string,
    contentType?: string,
  ): Promise<{ status: number; text: string }>;
  /** Reads a watch until `done` accepts an event's object (true) or `ms` pass (false). */
  watch(path: string, done: (o: Record<string, unknown>) => boolean, ms: number): Promise<boolean>;
}

export function clientFor(kubeconfig: string, port: number): Client {
  const cfg = parse(readFileSync(kubeconfig, 'utf8'));
  const user = cfg.users[0].user;
  const cluster = cfg.clusters[0].cluster;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 8,
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  });
  const watchAgent = new https.Agent({
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  });
  return {
    watch: (p, done, ms) =>
      new Promise((resolve) => {
        const req = https.request(
          { host: '127.0.0.1', port, path: p, method: 'GET', agent: watchAgent },
          (res) => {
            let buf = '';
            res.on('data', (c: Buffer) => {
              buf += c.toString();
              let nl = buf.indexOf('\n');
              while (nl >= 0) {
                const line = buf.slice(0, nl);
                buf = buf.slice(nl + 1);
                nl = buf.indexOf('\n');
                try {
                  const e = JSON.parse(line) as { object: Record<string, unknown> };
                  if (done(e.object)) {
                    clearTimeout(timer);
                    req.destroy();
                    resolve(true);
                    return;
                  }
                } catch {}
              }
            });
          },
        );
        const timer = setTimeout(() => {
          req.destroy();
          resolve(false);
        }, ms);
        req.on('error', () => resolve(false));
        req.end();
      }),
    request: (method, p, body, accept = 'application/json', contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            path: p,
            method,
            agent,
            headers: { accept, ...(data ? { 'content-type': contentType } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on('error', reject);
        req.end(data);
      }),
  };
}
