import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, invalid } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { archiveStat, exportContainer } from '../../services/containers/archive.ts';
import { attachContainer } from '../../services/containers/attach.ts';
import {
  pauseContainer,
  renameContainer,
  restartContainer,
  unpauseContainer,
} from '../../services/containers/lifecycle.ts';
import { containerLog } from '../../services/containers/logs.ts';
import type { WaitCondition } from '../../services/containers/operations.ts';
import {
  containerChanges,
  pruneContainers,
  topContainer,
  updateContainer,
} from '../../services/containers/ops.ts';
import { resizeContainer } from '../../services/containers/resize.ts';
import { inspectContainer, listContainers, parseFilters } from '../../services/containers/views.ts';
import type { Engine } from '../../services/engine.ts';
import { frame } from '../framing.ts';
import type { ApiRequest } from '../http.ts';
import { timeParam } from '../params.ts';
import type { Router } from '../router.ts';
import { muxStream, rawStream, sendJsonLines } from '../streams.ts';

export function containerRoutes(router: Router, engine: Engine): void {
  const ctx = engine.containers;
  const ops = engine.containerOps;

  router.add('GET', '/containers/json', async (req) => {
    req.send(
      200,
      await listContainers(ctx, {
        all: req.bool('all'),
        limit: req.int('limit'),
        size: req.bool('size'),
        filters: parseFilters(req.query.get('filters')),
      }),
    );
  });

  router.add('POST', '/containers/create', async (req) => {
    const body = await req.json();
    if (body === undefined) throw invalid('config cannot be empty in order to create a container');
    const name = req.query.get('name') ?? undefined;
    req.send(201, await ops.create({ name: name || undefined, config: body }));
  });

  router.add('GET', '/containers/{id}/json', async (req) => {
    req.send(200, await inspectContainer(ctx, req.params.id, req.bool('size')));
  });

  router.add('POST', '/containers/{id}/start', async (req) => {
    await ops.start(req.params.id);
    req.send(204);
  });

  router.add('POST', '/containers/{id}/stop', async (req) => {
    await ops.stop(req.params.id, {
      timeoutS: req.int('t') ?? req.int('timeout'),
      signal: req.query.get('signal') ?? undefined,
    });
    req.send(204);
  });

  router.add('POST', '/containers/{id}/restart', async (req) => {
    await restartContainer(
      ctx,
      req.params.id,
      req.int('t') ?? req.int('timeout'),
      req.query.get('signal') ?? undefined,
    );
    req.send(204);
  });

  router.add('POST', '/containers/{id}/kill', async (req) => {
    await ops.kill(req.params.id, req.query.get('signal') ?? undefined);
    req.send(204);
  });

  router.add('POST', '/containers/{id}/pause', async (req) => {
    await pauseContainer(ctx, req.params.id);
    req.send(204);
  });

  router.add('POST', '/containers/{id}/unpause', async (req) => {
    await unpauseContainer(ctx, req.params.id);
    req.send(204);
  });

  router.add('POST', '/containers/{id}/rename', async (req) => {
    await renameContainer(ctx, req.params.id, req.query.get('name') ?? '');
    req.send(204);
  });

  router.add('DELETE', '/containers/{id}', async (req) => {
    await ops.remove(req.params.id, { force: req.bool('force'), volumes: req.bool('v') });
    req.send(204);
  });

  router.add('POST', '/containers/{id}/wait', async (req) => {
    // The service refuses a condition it does not know, in dockerd's words.
    const condition = (req.query.get('condition') || 'not-running') as WaitCondition;
    const { exited } = await ops.wait(req.params.id, condition);
    // Headers go out at once: `docker run` waits for them before it starts the container.
    const out = req.stream('application/json');
    const result = await exited;
    out.write(`${JSON.stringify(result)}\n`);
    out.end();
  });

  router.add('POST', '/containers/{id}/attach', async (req) => {
    const opts = {
      stdin: req.bool('stdin'),
      stdout: req.bool('stdout'),
      stderr: req.bool('stderr'),
      stream: req.bool('stream'),
      logs: req.bool('logs'),
      detachKeys: req.query.get('detachKeys') ?? undefined,
    };
    await req.attachStdio((input) => attachContainer(ctx, req.params.id, opts, input));
  });

  router.add('POST', '/containers/{id}/resize', async (req) => {
    await resizeContainer(ctx, req.params.id, req.int('h') ?? 0, req.int('w') ?? 0);
    req.send(200, '');
  });

  router.add('GET', '/containers/{id}/logs', (req) => logs(engine, req));

  router.add('GET', '/containers/{id}/top', async (req) => {
    req.send(200, await topContainer(ctx, req.params.id, req.query.get('ps_args') ?? ''));
  });

  router.add('GET', '/containers/{id}/stats', async (req) => {
    const stop = new AbortController();
    const samples = ops.stats(req.params.id, {
      stream: req.bool('stream', true),
      oneShot: req.bool('one-shot'),
      signal: stop.signal,
    });
    const out = req.stream('application/json');
    out.onClose(() => stop.abort());
    await sendJsonLines(out, samples);
  });

  router.add('GET', '/containers/{id}/changes', async (req) => {
    req.send(200, await containerChanges(ctx, req.params.id));
  });

  router.add('GET', '/containers/{id}/export', async (req) => {
    await exportContainer(ctx, req.params.id, (tar) => sendTar(ctx.log, req, tar));
  });

  router.add('POST', '/containers/{id}/update', async (req) => {
    req.send(200, await updateContainer(ctx, req.params.id, await req.json()));
  });

  router.add('POST', '/containers/prune', async (req) => {
    req.send(200, await pruneContainers(ctx, parseFilters(req.query.get('filters'))));
  });

  router.add('HEAD', '/containers/{id}/archive', async (req) => {
    const stat = await archiveStat(ctx, req.params.id, req.query.get('path') ?? '');
    req.send(200, '', { 'X-Docker-Container-Path-Stat': stat });
  });

  router.add('GET', '/containers/{id}/archive', async (req) => {
    await ops.archiveGet(req.params.id, req.query.get('path') ?? '', (stat, tar) =>
      sendTar(ctx.log, req, tar, { 'X-Docker-Container-Path-Stat': stat }),
    );
  });

  router.add('PUT', '/containers/{id}/archive', async (req) => {
    await ops.archivePut(req.params.id, req.query.get('path') ?? '', req.raw, {
      noOverwriteDirNonDir: req.bool('noOverwriteDirNonDir'),
      copyUIDGID: req.bool('copyUIDGID'),
    });
    req.send(200, '');
  });
}

/** Streams a tar as the response; a failure once the headers are out cuts the response short. */
async function sendTar(
  log: Logger,
  req: ApiRequest,
  tar: AsyncIterable<Buffer>,
  headers: Record<string, string> = {},
) {
  const out = req.stream('application/x-tar', 200, headers);
  const source = Readable.from(tar);
  try {
    if (req.res) await pipeline(source, req.res, { end: false });
    else for await (const chunk of source) out.write(chunk as Buffer);
    out.end();
  } catch (err) {
    // A client that went away is not worth a word; the engine failing to read a file is.
    if (!req.res?.destroyed)
      log.warn('a tar was cut short', { path: req.url.pathname, error: errorMessage(err) });
    source.destroy();
    req.res?.destroy();
    req.socket?.destroy();
  }
}

async function logs(engine: Engine, req: ApiRequest): Promise<void> {
  const stdout = req.bool('stdout');
  const stderr = req.bool('stderr');
  if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
  const timestamps = req.bool('timestamps');
  const details = req.bool('details');
  const tailRaw = req.query.get('tail');
  let tail: number | undefined;
  if (tailRaw && tailRaw !== 'all') {
    tail = Number(tailRaw);
    if (!Number.isInteger(tail)) throw invalid(`invalid value for "tail": "${tailRaw}"`);
  }
  const gone = new AbortController();
  const log = containerLog(engine.containers, req.params.id, {
    follow: req.bool('follow'),
    tail,
    sinceNs: timeParam(req.query.get('since')),
    untilNs: timeParam(req.query.get('until')),
    signal: gone.signal,
  });
  const tty = log.tty;
  const out = req.stream(tty ? rawStream : muxStream);
  out.onClose(() => gone.abort());
  // Consecutive lines of one stream share a frame, and frames go out in writes of up to 64 KiB: a
  // frame and a write per line cost both sides a million of each for a million lines. A record that
  // continues a partial line starts a frame of its own (clients strip its timestamp there).
  // What is pending goes out as soon as the reader waits for more.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let parts: string[] = [];
  let runBytes = 0;
  let runStream: 'stdout' | 'stderr' = 'stdout';
  let flushScheduled = false;
  const closeRun = () => {
    if (!parts.length) return;
    const payload = Buffer.from(parts.join(''));
    const chunk = tty ? payload : frame(runStream, payload);
    pending.push(chunk);
    pendingBytes += chunk.length;
    parts = [];
    runBytes = 0;
  };
  const flush = () => {
    flushScheduled = false;
    closeRun();
    if (!pendingBytes || out.closed) return;
    out.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  for await (const batch of log.batches) {
    if (out.closed) break;
    for (const e of batch) {
      if ((e.stream === 'stdout' && !stdout) || (e.stream === 'stderr' && !stderr)) continue;
      if (parts.length && (e.stream !== runStream || !parts[parts.length - 1].endsWith('\n'))) closeRun();
      runStream = e.stream;
      if (timestamps) parts.push(e.time, ' ');
      // --details: the line's attributes (none here: no log-opt labels or env are kept) and a space.
      if (details) parts.push(' ');
      parts.push(e.text);
      runBytes += e.text.length;
      if (runBytes + pendingBytes >= 64 * 1024) flush();
    }
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  flush();
  out.end();
}
