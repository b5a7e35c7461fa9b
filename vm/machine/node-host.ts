// The real Host: Node's fs, child_process and net.
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, createReadStream, createWriteStream, promises as fs, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ExitStatus, Host, HostProcess } from './host.ts';

export function nodeHost(): Host {
  return {
    platform: process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'win32' : 'linux',
    arch: process.arch === 'arm64' ? 'arm64' : 'x64',
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    homedir: os.homedir(),
    kernelRelease: os.release(),

    async readText(file) {
      return fs.readFile(file, 'utf8').catch(() => null);
    },
    async readFrom(file, offset) {
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(file, 'r');
      } catch {
        return Buffer.alloc(0);
      }
      try {
        const { size } = await fh.stat();
        if (size <= offset) return Buffer.alloc(0);
        const buf = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    async writeFile(file, data, mode = 0o644) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      await fs.writeFile(tmp, data, { mode });
      await fs.rename(tmp, file);
    },
    async gunzipFile(source, file) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      try {
        // Chunks of a megabyte: at zlib's 16 KiB a kernel took thousands of callbacks on this thread.
        const chunk = 1 << 20;
        await pipeline(
          createReadStream(source, { highWaterMark: chunk }),
          createGunzip({ chunkSize: chunk }),
          createWriteStream(tmp, { highWaterMark: chunk }),
        );
        await fs.rename(tmp, file);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },
    async appendFile(file, data) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.appendFile(file, data);
    },
    async exists(file) {
      return fs.access(file).then(
        () => true,
        () => false,
      );
    },
    async readWrite(file) {
      return fs.access(file, constants.R_OK | constants.W_OK).then(
        () => true,
        () => false,
      );
    },
    async mkdir(dir) {
      await fs.mkdir(dir, { recursive: true });
    },
    async remove(file) {
      await fs.rm(file, { recursive: true, force: true });
    },

    async which(command) {
      const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
      for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        if (!dir) continue;
        for (const ext of exts) {
          const candidate = path.join(dir, command + ext);
          const ok = await fs.access(candidate, constants.X_OK).then(
            () => true,
            () => false,
          );
          if (ok) return candidate;
        }
      }
      return null;
    },
    run(command, args, opts = {}) {
      return new Promise((resolve) => {
        execFile(
          command,
          args,
          { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
            const code = !e ? 0 : typeof e.code === 'number' ? e.code : 127;
            resolve({
              code,
              stdout: String(stdout),
              stderr: String(stderr) || (e && !stderr ? e.message : ''),
            });
          },
        );
      });
    },
    spawn(command, args, opts = {}) {
      const fd = opts.outputFile ? openSync(opts.outputFile, 'a', 0o600) : null;
      try {
        const child = spawn(command, args, {
          cwd: opts.cwd,
          env: opts.env ? { ...process.env, ...opts.env } : process.env,
          stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
          detached: opts.detached ?? false,
        });
        if (opts.detached) child.unref();
        const exited = new Promise<ExitStatus>((resolve) => {
          child.once('exit', (code, signal) => resolve({ code, signal }));
          child.once('error', () => resolve({ code: 127, signal: null }));
        });
        const proc: HostProcess = {
          pid: child.pid ?? -1,
          exited,
          kill: (signal) => {
            child.kill(signal);
          },
        };
        return proc;
      } finally {
        if (fd !== null) closeSync(fd);
      }
    },
    alive(pid) {
      if (pid <= 0) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    kill(pid, signal) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    },

    qmp: qmpCommand,
    freePort() {
      return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as net.AddressInfo;
          server.close(() => resolve(port));
        });
      });
    },
    pingDocker,
  };
}

/** Whether a Docker API answers `GET /_ping` on the socket within `timeoutMs`. */
export function pingDocker(socket: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/**
 * QMP: the server greets, `qmp_capabilities` leaves negotiation mode, then the command; asynchronous
 * events (lines with `event`) may come in between and are skipped.
 */
export function qmpCommand(
  socket: string,
  command: string,
  args?: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    let buffered = '';
    let step = 0;
    const timer = setTimeout(
      () => finish(new Error(`QMP ${command}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (err: Error | null, value?: unknown) => {
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    conn.on('error', (err) => finish(new Error(`QMP ${command}: ${err.message}`)));
    conn.on('close', () => finish(new Error(`QMP ${command}: the connection closed`)));
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        let msg: { QMP?: unknown; return?: unknown; error?: { desc?: string }; event?: string };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.event) continue;
        if (msg.error) return finish(new Error(`QMP ${command}: ${msg.error.desc ?? 'error'}`));
        if (step === 0 && msg.QMP) {
          step = 1;
          conn.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`);
        } else if (step === 1 && 'return' in msg) {
          step = 2;
          conn.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
        } else if (step === 2 && 'return' in msg) {
          return finish(null, msg.return);
        }
      }
    });
  });
}
