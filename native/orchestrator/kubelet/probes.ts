// Liveness, readiness and startup probes of one running container, on the Clock seam: each probe
// runs after initialDelaySeconds and then every periodSeconds, counts consecutive results against
// successThreshold and failureThreshold, and tells the kubelet when readiness or started changes and
// when the container must be killed (liveness or startup failed). Liveness and readiness wait for the
// startup probe to succeed, as in Kubernetes. How a probe reaches the container (exec through the
// engine, HTTP, TCP and gRPC health checks to the pod's IP) is a ProbeTransport, so tests give their own.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Clock } from '../../core/clock.ts';
import type { ContainerOperations } from '../../services/containers/operations.ts';
import { grpcHealthProbe } from './grpc-health.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export interface ProbeResult {
  ok: boolean;
  /** What a failure says (the Unhealthy event's tail). */
  output: string;
  /** The probe could not be run at all: the kubelet's "probe errored", not "probe failed". */
  errored?: boolean;
}

export interface ProbeTransport {
  exec(containerId: string, cmd: string[], timeoutMs: number): Promise<ProbeResult>;
  http(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeResult>;
  tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult>;
  /** grpc.health.v1.Health/Check of `service` ("" asks about the server as a whole). */
  grpc(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult>;
}

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
const label: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface ProberHooks {
  /** Readiness or started changed: the pod's status is due. */
  changed(): void;
  /** A failed probe, for the Unhealthy event. */
  unhealthy(kind: ProbeKind, message: string): void;
  /** Liveness or startup failed failureThreshold times: restart the container. */
  kill(kind: ProbeKind, message: string): void;
}

/** A named container port ("http") resolved to its number. */
function portOf(container: Obj, port: unknown): number {
  if (typeof port === 'number') return port;
  const named = list(container.ports).find((p) => p.name === port);
  return Number(named?.containerPort ?? port);
}

export class ContainerProber {
  ready: boolean;
  started: boolean;
  private readonly timers = new Set<{ cancel(): void }>();
  private stopped = false;

  constructor(
    private readonly containerId: string,
    private readonly container: Obj,
    private readonly podIP: () => string,
    private readonly clock: Clock,
    private readonly transport: ProbeTransport,
    private readonly hooks: ProberHooks,
  ) {
    this.started = !container.startupProbe;
    this.ready = !container.readinessProbe;
    if (container.startupProbe) this.run('startup');
    else this.startMain();
  }

  private startMain(): void {
    if (this.container.livenessProbe) this.run('liveness');
    if (this.container.readinessProbe) this.run('readiness');
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }

  private after(ms: number, fn: () => void): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private run(kind: ProbeKind): void {
    const probe = obj(this.container[`${kind}Probe`]);
    const period = Number(probe.periodSeconds ?? 10) * 1000;
    const failureThreshold = Number(probe.failureThreshold ?? 3);
    const successThreshold = Number(probe.successThreshold ?? 1);
    let failures = 0;
    let successes = 0;
    const tick = async () => {
      const r = await this.probe(probe).catch(
        (err): ProbeResult => ({ ok: false, output: String(err), errored: true }),
      );
      if (this.stopped) return;
      if (r.ok) {
        failures = 0;
        successes++;
        if (successes >= successThreshold) {
          if (kind === 'readiness' && !this.ready) {
            this.ready = true;
            this.hooks.changed();
          }
          if (kind === 'startup') {
            this.started = true;
            this.hooks.changed();
            this.startMain();
            return;
          }
        }
      } else {
        successes = 0;
        failures++;
        const verb = r.errored ? 'errored' : 'failed';
        this.hooks.unhealthy(kind, `${label[kind]} probe ${verb}: ${r.output}`.trimEnd());
        if (failures >= failureThreshold) {
          if (kind === 'readiness') {
            if (this.ready) {
              this.ready = false;
              this.hooks.changed();
            }
          } else {
            const name = String(this.container.name);
            this.hooks.kill(kind, `Container ${name} failed ${kind} probe, will be restarted`);
            return;
          }
        }
      }
      this.after(period, () => void tick());
    };
    this.after(Number(probe.initialDelaySeconds ?? 0) * 1000, () => void tick());
  }

  private probe(probe: Obj): Promise<ProbeResult> {
    const timeout = Number(probe.timeoutSeconds ?? 1) * 1000;
    if (probe.exec) {
      const cmd = obj(probe.exec).command;
      return this.transport.exec(this.containerId, Array.isArray(cmd) ? cmd.map(String) : [], timeout);
    }
    if (probe.httpGet) {
      const g = obj(probe.httpGet);
      const scheme = String(g.scheme ?? 'HTTP').toLowerCase();
      const host = String(g.host || this.podIP());
      const port = portOf(this.container, g.port);
      const p = String(g.path ?? '/');
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of list(g.httpHeaders)) headers[String(h.name)] = String(h.value);
      const hostPart = host.includes(':') ? `[${host}]` : host;
      return this.transport.http(
        `${scheme}://${hostPart}:${port}${p.startsWith('/') ? p : `/${p}`}`,
        headers,
        timeout,
      );
    }
    if (probe.tcpSocket) {
      const t = obj(probe.tcpSocket);
      return this.transport.tcp(String(t.host || this.podIP()), portOf(this.container, t.port), timeout);
    }
    if (probe.grpc) {
      // No host field and no named ports: always the pod's IP and a number, as the kubelet does.
      const g = obj(probe.grpc);
      return this.transport.grpc(this.podIP(), Number(g.port), String(g.service ?? ''), timeout);
    }
    // A probe with no handler the API server let through (an object stored before validation):
    // the kubelet counts it as a failure it could not run.
    return Promise.resolve({
      ok: false,
      errored: true,
      output: `missing probe handler for ${String(this.container.name)}`,
    });
  }
}

/** Probes as a kubelet makes them: exec through the engine, HTTP, TCP and gRPC from the host to the pod. */
export function engineProbeTransport(ops: ContainerOperations): ProbeTransport {
  return {
    async exec(containerId, cmd, timeoutMs) {
      let output = '';
      let code = -1;
      const run = (async () => {
        for await (const c of ops.exec(containerId, { cmd })) {
          if (c.stream === 'exit') code = c.code;
          else if (output.length < 10_240) output += c.data.toString();
        }
      })();
      let timer: { cancel(): void } | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), timeoutMs);
        timer = { cancel: () => clearTimeout(t) };
      });
      const r = await Promise.race([run.then(() => 'done' as const), timedOut]);
      timer?.cancel();
      if (r === 'timeout') return { ok: false, output: `command timed out after ${timeoutMs / 1000}s` };
      return { ok: code === 0, output: code === 0 ? output : output || `command exited with ${code}` };
    },
    http(url, headers, timeoutMs) {
      return new Promise((resolve) => {
        const get = url.startsWith('https:') ? https.get : http.get;
        const req = get(url, { headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve({ ok: code >= 200 && code < 400, output: `HTTP probe failed with statuscode: ${code}` });
        });
        req.on('timeout', () => {
          req.destroy();
          resolve({ ok: false, output: `Get "${url}": context deadline exceeded` });
        });
        req.on('error', (err) => resolve({ ok: false, output: `Get "${url}": ${err.message}` }));
      });
    },
    tcp(host, port, timeoutMs) {
      return new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: timeoutMs });
        s.once('connect', () => {
          s.destroy();
          resolve({ ok: true, output: '' });
        });
        s.once('timeout', () => {
          s.destroy();
          resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
        });
        s.once('error', (err) => resolve({ ok: false, output: `dial tcp ${host}:${port}: ${err.message}` }));
      });
    },
    grpc: grpcHealthProbe,
  };
}
