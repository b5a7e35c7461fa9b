import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Daemon, eventually, loadBusybox, startDaemon, stopDaemon } from '../harness.ts';

/** A build context in a temp dir: file name → content (dirs are created). */
function makeContext(files: Record<string, string>): string {
  const dir = mkdtempSync('/tmp/bctx-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const appDockerfile = `# syntax is ignored by the classic builder
FROM busybox
ARG GREETING=hello
ENV GREETING=$GREETING \\
    APP_HOME=/app
WORKDIR /app
COPY conf.txt ./
COPY data/ data/
RUN echo built > /app/out && echo 'app:x:1234:1234::/app:/bin/sh' >> /etc/passwd
USER app
CMD ["sh", "-c", "echo $GREETING; cat /app/out"]
`;

describe(`build and commit (${process.env.BERTH_TARGET ?? 'berthd'})`, () => {
  let d: Daemon;
  const dirs: string[] = [];
  const ctx = (files: Record<string, string>) => {
    const dir = makeContext(files);
    dirs.push(dir);
    return dir;
  };
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d);
  });
  after(async () => {
    await stopDaemon(d);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('commit with -c and -m makes a runnable image', () => {
    const run = d.docker([
      'run',
      '--name',
      'src',
      'busybox',
      'sh',
      '-c',
      'echo committed > /f; rm /bin/true',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const c = d.docker([
      'commit',
      '-c',
      'CMD ["cat","/f"]',
      '-m',
      'my message',
      '-a',
      'me',
      'src',
      'committed:1',
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const out = d.docker(['run', '--rm', 'committed:1']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'committed\n');
    const gone = d.docker([
      'run',
      '--rm',
      'committed:1',
      'sh',
      '-c',
      'test -e /bin/true && echo there || echo gone',
    ]);
    assert.equal(gone.stdout, 'gone\n');
    const hist = d.docker([
      'history',
      '--no-trunc',
      '--format',
      '{{.Comment}}|{{.CreatedBy}}',
      'committed:1',
    ]);
    assert.match(hist.stdout.split('\n')[0], /^my message\|sh -c echo committed/);
    assert.equal(d.docker(['image', 'inspect', '-f', '{{.Author}}', 'committed:1']).stdout.trim(), 'me');
    d.docker(['rm', 'src']);
  });

  test('multi-step build, tagged twice, runs with its files, user and env; rebuild is all cache', () => {
    const dir = ctx({
      Dockerfile: appDockerfile,
      'conf.txt': 'conf\n',
      'data/a.txt': 'a\n',
      'data/secret.txt': 'secret\n',
      '.dockerignore': 'data/secret.txt\n',
    });
    const b = d.docker([
      'build',
      '-t',
      'busybox-app',
      '-t',
      'busybox-app:v2',
      '--build-arg',
      'GREETING=hi',
      dir,
    ]);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout, /Step 1\/9 : FROM busybox/);
    assert.match(b.stdout, / ---> Running in [0-9a-f]{12}/);
    assert.match(b.stdout, /Successfully built [0-9a-f]{12}/);
    assert.match(b.stdout, /Successfully tagged busybox-app:latest/);
    assert.match(b.stdout, /Successfully tagged busybox-app:v2/);
    const id1 = d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox-app']).stdout.trim();
    assert.equal(d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox-app:v2']).stdout.trim(), id1);

    const run = d.docker(['run', '--rm', 'busybox-app']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hi\nbuilt\n');
    const check = d.docker([
      'run',
      '--rm',
      'busybox-app',
      'sh',
      '-c',
      'id -un; pwd; cat conf.txt data/a.txt; test -e data/secret.txt && echo leaked || echo ignored; echo $APP_HOME',
    ]);
    assert.equal(check.stdout, 'app\n/app\nconf\na\nignored\n/app\n');

    const again = d.docker(['build', '-t', 'busybox-app', '--build-arg', 'GREETING=hi', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 8, again.stdout);
    assert.doesNotMatch(again.stdout, /Running in/);
    assert.match(again.stdout, new RegExp(`Successfully built ${id1.slice(7, 19)}`));

    const hist = d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'busybox-app']).stdout;
    assert.match(hist, /CMD \["sh" "-c" "echo \$GREETING; cat \/app\/out"\]/);
    assert.match(hist, /ENV GREETING=hi APP_HOME=\/app/);
    assert.match(hist, /USER app/);
    assert.match(hist, /echo built > \/app\/out/);
    assert.match(hist, /WORKDIR \/app/);
    assert.match(hist, /COPY/);
    assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '');
  });

  test('a changed source file invalidates the COPY step and what follows', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nCOPY f /f\nRUN cat /f\n', f: 'one\n' });
    assert.equal(d.docker(['build', '-t', 'chg', dir]).code, 0);
    writeFileSync(path.join(dir, 'f'), 'two\n');
    const b = d.docker(['build', '-t', 'chg', dir]);
    assert.equal(b.code, 0, b.stderr);
    assert.doesNotMatch(b.stdout, /Using cache/);
    assert.match(b.stdout, /two/);
    const nc = d.docker(['build', '--no-cache', '-t', 'chg', dir]);
    assert.doesNotMatch(nc.stdout, /Using cache/);
  });

  test('multi-stage with COPY --from, --target, -f and -q', () => {
    const dir = ctx({
      'build.Dockerfile': [
        'ARG BASE=busybox',
        'FROM $BASE AS builder',
        'ARG BASE',
        'RUN mkdir -p /out && echo artifact-$BASE > /out/art.txt',
        'FROM busybox AS tester',
        'RUN echo testing > /t',
        'FROM scratch',
        'COPY --from=builder /out/art.txt /art.txt',
        'COPY --from=busybox /bin/busybox /bin/sh',
        'CMD ["/bin/sh", "-c", "cat /art.txt"]',
        '',
      ].join('\n'),
    });
    const b = d.docker(['build', '-q', '-f', path.join(dir, 'build.Dockerfile'), '-t', 'multi', dir]);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const run = d.docker(['run', '--rm', 'multi']);
    assert.equal(run.stdout, 'artifact-busybox\n', run.stderr);
    assert.equal(d.docker(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'multi']).stdout.trim(), '2');

    const t = d.docker([
      'build',
      '--target',
      'tester',
      '-f',
      path.join(dir, 'build.Dockerfile'),
      '-t',
      'tgt',
      dir,
    ]);
    assert.equal(t.code, 0, t.stderr);
    assert.doesNotMatch(t.stdout, /Step \d+\/\d+ : FROM scratch/);
    assert.equal(d.docker(['run', '--rm', 'tgt', 'cat', '/t']).stdout, 'testing\n');
    const bad = d.docker(['build', '--target', 'nope', '-f', path.join(dir, 'build.Dockerfile'), dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /failed to reach build target nope/);
  });

  test('commit of a running container pauses it and emits commit events', () => {
    const run = d.docker([
      'run',
      '-d',
      '--name',
      'live',
      'busybox',
      'sh',
      '-c',
      'echo live > /live; sleep 60',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const since = Math.floor(Date.now() / 1000) - 1;
    const c = d.docker(['commit', 'live', 'live:snap']);
    const status = d.docker(['inspect', '-f', '{{.State.Status}}', 'live']).stdout.trim();
    d.docker(['rm', '-f', 'live']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(status, 'running');
    assert.equal(d.docker(['run', '--rm', 'live:snap', 'cat', '/live']).stdout, 'live\n');
    const ev = d.docker([
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.floor(Date.now() / 1000) + 1),
      '--filter',
      'event=commit',
      '--filter',
      'event=pause',
      '--filter',
      'event=unpause',
      '--format',
      '{{.Type}} {{.Action}}',
    ]);
    assert.match(ev.stdout, /container pause\ncontainer commit\ncontainer unpause/);
  });

  test('ADD unpacks local tars; COPY globs, --chown and --chmod; config instructions', () => {
    const dir = ctx({
      Dockerfile: [
        'FROM busybox',
        'ADD pkg.tar.gz /opt/',
        // The classic dockerd builder refuses --chmod (BuildKit only); berthd supports it.
        `COPY --chown=7:8 ${d.kind === 'berthd' ? '--chmod=600 ' : ''}*.cfg /etc/app/`,
        'SHELL ["/bin/sh", "-ec"]',
        'ENTRYPOINT ["/bin/sh", "-c"]',
        'CMD ["ls -ln /etc/app; cat /opt/pkg/inner.txt"]',
        'EXPOSE 8080 53/udp',
        'LABEL org.example.name="my app"',
        'STOPSIGNAL SIGINT',
        'VOLUME /data',
        'HEALTHCHECK --interval=5s --retries=2 CMD true',
        'ONBUILD RUN echo triggered > /onbuild',
        '',
      ].join('\n'),
      'a.cfg': 'a\n',
      'b.cfg': 'b\n',
      'c.txt': 'not copied\n',
      'pkg/inner.txt': 'inner\n',
    });
    const tar = spawnSync('tar', ['-czf', path.join(dir, 'pkg.tar.gz'), '-C', dir, 'pkg']);
    assert.equal(tar.status, 0);
    rmSync(path.join(dir, 'pkg'), { recursive: true });
    const b = d.docker(['build', '--label', 'built.by=berth', '-t', 'cfg', dir]);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    const run = d.docker(['run', '--rm', 'cfg']);
    assert.equal(run.code, 0, run.stderr);
    const mode = d.kind === 'berthd' ? '-rw-------' : '-rw-r--r--';
    assert.match(run.stdout, new RegExp(`${mode} +1 7 +8 +2 .* a\\.cfg`));
    assert.match(run.stdout, /b\.cfg/);
    assert.doesNotMatch(run.stdout, /c\.txt/);
    assert.match(run.stdout, /inner\n$/);
    const fmt = [
      '{{json .Config.ExposedPorts}}',
      '{{index .Config.Labels "org.example.name"}}',
      '{{index .Config.Labels "built.by"}}',
      '{{.Config.StopSignal}}',
      '{{json .Config.Volumes}}',
      '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}',
      '{{json .Config.OnBuild}}',
    ].join('|');
    const inspect = d.docker(['image', 'inspect', '-f', fmt, 'cfg']).stdout.trim();
    assert.equal(
      inspect,
      '{"53/udp":{},"8080/tcp":{}}|my app|berth|SIGINT|{"/data":{}}|["CMD-SHELL","true"] 5s 2|["RUN echo triggered \u003e /onbuild"]',
    );
    const child = d.docker([
      'build',
      '-t',
      'cfg-child',
      ctx({ Dockerfile: 'FROM cfg\nCMD ["cat /onbuild"]\n' }),
    ]);
    assert.equal(child.code, 0, child.stderr + child.stdout);
    assert.match(child.stdout, /# Executing 1 build trigger/);
    assert.equal(d.docker(['run', '--rm', 'cfg-child']).stdout, 'triggered\n');
  });

  test('a Dockerfile on stdin builds without a context', () => {
    const b = d.docker(['build', '-t', 'from-stdin', '-'], {
      input: 'FROM busybox\nCMD ["echo", "from stdin"]\n',
    });
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.equal(d.docker(['run', '--rm', 'from-stdin']).stdout, 'from stdin\n');
  });

  test('a failing RUN fails the build with its exit code and leaves no containers', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo before\nRUN exit 3\nRUN echo never\n' });
    const b = d.docker(['build', dir]);
    // The CLI exits with the command's code, which dockerd sends as errorDetail.code.
    assert.equal(b.code, 3);
    assert.match(b.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.doesNotMatch(b.stdout, /never/);
    // dockerd keeps the failed step's container unless --force-rm; berthd never leaves one behind.
    if (d.kind === 'berthd') {
      assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '');
      // Nothing mounted under the daemon's roots but the exec root's tmpfs, which is the harness's.
      const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter((p) => p.startsWith(`${d.root}/`) && p !== d.execRoot);
      assert.deepEqual(mounted, []);
    }
  });

  test('a build whose client goes away stops and removes its container', async () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 60\n' });
    const b = d.dockerAsync(['build', '--no-cache', dir]);
    let out = '';
    b.child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await eventually(() => /started/.test(out), 20_000, 'the RUN step to start');
    b.child.kill('SIGKILL');
    await b.done;
    await eventually(() => d.docker(['ps', '-aq']).stdout.trim() === '', 20_000, 'no containers');
  });

  test('parse errors and remote ADD name the line', () => {
    const parse = d.docker(['build', ctx({ Dockerfile: 'FROM busybox\nRUN true\nFOOBAR x\n' })]);
    assert.equal(parse.code, 1);
    assert.match(
      parse.stderr,
      /Error response from daemon: dockerfile parse error line 3: unknown instruction: FOOBAR/,
    );
    const remote = d.docker(['build', ctx({ Dockerfile: 'FROM busybox\nADD https://example.com/x /x\n' })]);
    assert.equal(remote.code, 1);
    // berthd builds have no network: it says so and names the line (dockerd tries to download).
    if (d.kind === 'berthd')
      assert.match(remote.stderr, /line 2: ADD: remote source https:\/\/example.com\/x is not supported/);
  });
});
