// The image config and history the classic builder writes, as dockerd 20.10 writes them: what
// `docker inspect` and `docker history` show scripts and tools after a build.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { context, sh } from './image-helpers.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

/** Builds `dockerfile` (context: `files`) as `img`, then runs the command. */
function built(dockerfile: string, files: Record<string, string> = {}): Scenario['setup'] {
  const dir = context({ Dockerfile: dockerfile, ...files });
  return [(c: Ctx) => void c.must(['build', '-q', '-t', 'img', dir])];
}

/** A tar of `files` (as a string of its bytes, latin1), for ADD. */
function tarOf(files: Record<string, string>): string {
  const dir = context(files);
  const out = path.join(dir, '..', `${path.basename(dir)}.tar`);
  spawnSync('tar', ['-cf', out, '-C', dir, '.']);
  return readFileSync(out, 'latin1');
}

const inspect = (format: string): string[] => ['image', 'inspect', '-f', format, 'img'];
const history = ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', 'img'];
const base = 'berth fixture: busybox-static from Debian|1.98MB\n';

const everything = `FROM busybox
ARG V=1
ARG W
ENV PATH=/opt/bin:$PATH FOO="a b"
LABEL a=1 "b c"="d e"
WORKDIR /app/sub
USER nobody
EXPOSE 80 53/udp 8000-8001
VOLUME /data ["/logs"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost || exit 1
ONBUILD RUN echo child
SHELL ["/bin/sh", "-ec"]
MAINTAINER me <me@x>
ENTRYPOINT echo hi
CMD ["x", "y"]
`;

const scenarios: Scenario[] = [
  {
    name: 'every metadata instruction: the config',
    setup: built(everything),
    run: inspect('{{json .Config}}'),
    expect: {
      code: 0,
      stdout:
        '{"User":"nobody","ExposedPorts":{"53/udp":{},"80/tcp":{},"8000/tcp":{},"8001/tcp":{}},"Env":["PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","FOO=a b"],"Entrypoint":["/bin/sh","-ec","echo hi"],"Cmd":["x","y"],"Volumes":{"/data":{},"[/logs]":{}},"WorkingDir":"/app/sub","Labels":{"a":"1","b c":"d e"},"StopSignal":"SIGINT","Healthcheck":{"Test":["CMD-SHELL","wget -q localhost || exit 1"],"Interval":5000000000,"Retries":2},"OnBuild":["RUN echo child"],"Shell":["/bin/sh","-ec"]}\n',
      stderr: '',
    },
  },
  {
    name: 'every metadata instruction: the history, word for word, under the shell in force',
    setup: built(everything),
    run: history,
    expect: {
      code: 0,
      stdout:
        '/bin/sh -ec #(nop)  CMD ["x" "y"]|0B\n' +
        '/bin/sh -ec #(nop)  ENTRYPOINT ["/bin/sh" "-ec" "echo hi"]|0B\n' +
        '/bin/sh -ec #(nop)  MAINTAINER me <me@x>|0B\n' +
        '/bin/sh -ec #(nop)  SHELL [/bin/sh -ec]|0B\n' +
        '/bin/sh -c #(nop)  ONBUILD RUN echo child|0B\n' +
        `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "wget -q localhost || exit 1"] "5s" "0s" "0s" '\\x02'}|0B\n` +
        '/bin/sh -c #(nop)  STOPSIGNAL SIGINT|0B\n' +
        '/bin/sh -c #(nop)  VOLUME [/data [/logs]]|0B\n' +
        '/bin/sh -c #(nop)  EXPOSE 53/udp 80 8000-8001|0B\n' +
        '/bin/sh -c #(nop)  USER nobody|0B\n' +
        '/bin/sh -c #(nop) WORKDIR /app/sub|0B\n' +
        '/bin/sh -c #(nop)  LABEL a=1 b c=d e|0B\n' +
        '/bin/sh -c #(nop)  ENV PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin FOO=a b|0B\n' +
        '/bin/sh -c #(nop)  ARG W|0B\n' +
        '/bin/sh -c #(nop)  ARG V=1|0B\n' +
        base,
      stderr: '',
    },
  },
  {
    name: 'every metadata instruction: the author, and one new layer (the WORKDIR it made)',
    setup: built(everything),
    run: inspect('{{.Author}}|{{len .RootFS.Layers}}|{{.Comment}}|{{.Config.ArgsEscaped}}'),
    expect: { code: 0, stdout: 'me <me@x>|2||false\n', stderr: '' },
  },
  {
    name: 'FROM scratch: PATH gets its default, COPY makes the one layer',
    setup: built('FROM scratch\nCOPY f /\nENV X=1\n', { f: 'f\n' }),
    run: inspect('{{json .Config.Env}} {{len .RootFS.Layers}} {{.Parent}}'),
    expect: {
      code: 0,
      stdout:
        '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","X=1"] 1 sha256:<digest>\n',
      stderr: '',
    },
  },
  {
    name: 'COPY history names the content hash of a file, a directory, several sources',
    setup: built('FROM busybox\nCOPY f /f\nCOPY d /d/\nCOPY f d/g /m/\nCOPY --chown=7:8 f /o\n', {
      f: 'f\n',
      'd/g': 'g\n',
      'd/h': 'h\n',
    }),
    run: history,
    expect: {
      code: 0,
      stdout:
        '/bin/sh -c #(nop) COPY --chown=7:8file:<id> in /o |2B\n' +
        '/bin/sh -c #(nop) COPY multi:<id> in /m/ |4B\n' +
        '/bin/sh -c #(nop) COPY dir:<id> in /d/ |4B\n' +
        '/bin/sh -c #(nop) COPY file:<id> in /f |2B\n' +
        base,
      stderr: '',
    },
  },
  {
    name: 'COPY hashes are the content’s: the same files give the same text on any engine',
    setup: built('FROM busybox\nCOPY f /f\nCOPY d /d\n', { f: 'same bytes\n', 'd/a': 'a\n', 'd/b/c': 'c\n' }),
    // The hash is shortened so that normalize() leaves it to compare.
    run: (c) => {
      const r = c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img']);
      return { ...r, stdout: r.stdout.replace(/:([0-9a-f]{10})[0-9a-f]{54}/g, ':$1') };
    },
    expect: {
      code: 0,
      stdout:
        '/bin/sh -c #(nop) COPY dir:ab6f6cce22 in /d \n' +
        '/bin/sh -c #(nop) COPY file:52a88612a7 in /f \n' +
        'berth fixture: busybox-static from Debian\n',
      stderr: '',
    },
  },
  {
    name: 'WORKDIR: relative to the one before, created in the image, recorded once',
    setup: built('FROM busybox\nWORKDIR /a/b\nWORKDIR c\nRUN pwd > /pwd\n'),
    run: (c) => {
      const dir = c.docker(['run', '--rm', 'img', 'sh', '-c', 'cat /pwd; ls -ld /a/b/c | cut -c1-10']);
      const cfg = c.docker([
        'image',
        'inspect',
        '-f',
        '{{.Config.WorkingDir}} {{len .RootFS.Layers}}',
        'img',
      ]);
      return { code: dir.code || cfg.code, stdout: dir.stdout + cfg.stdout, stderr: dir.stderr + cfg.stderr };
    },
    expect: { code: 0, stdout: '/a/b/c\ndrwxr-xr-x\n/a/b/c 4\n', stderr: '' },
  },
  {
    name: 'WORKDIR of a directory the image has: no layer for it',
    setup: built('FROM busybox\nWORKDIR /tmp\n'),
    run: inspect('{{.Config.WorkingDir}} {{len .RootFS.Layers}}'),
    expect: { code: 0, stdout: '/tmp 1\n', stderr: '' },
  },
  {
    name: 'USER applies to the RUNs after it and to the image',
    // (Supplementary groups are the runtime's, not the builder's: left out here.)
    setup: built('FROM busybox\nUSER 1000:1000\nRUN id -u > /tmp/id && id -g >> /tmp/id\n'),
    run: (c) => c.docker(['run', '--rm', 'img', 'sh', '-c', 'cat /tmp/id; id -un']),
    expect: { code: 0, stdout: '1000\n1000\napp\n', stderr: '' },
  },
  {
    name: 'ENTRYPOINT resets the CMD the base image has',
    setup: built('FROM busybox\nENTRYPOINT ["echo"]\n'),
    run: inspect('{{json .Config.Entrypoint}} {{json .Config.Cmd}}'),
    expect: { code: 0, stdout: '["echo"] null\n', stderr: '' },
  },
  {
    name: 'a CMD of the same Dockerfile survives a later ENTRYPOINT',
    setup: built('FROM busybox\nCMD ["a"]\nENTRYPOINT ["echo"]\n'),
    run: (c) => {
      const cfg = c.docker([
        'image',
        'inspect',
        '-f',
        '{{json .Config.Entrypoint}} {{json .Config.Cmd}}',
        'img',
      ]);
      const run = c.docker(['run', '--rm', 'img']);
      return { code: cfg.code || run.code, stdout: cfg.stdout + run.stdout, stderr: cfg.stderr + run.stderr };
    },
    expect: { code: 0, stdout: '["echo"] ["a"]\na\n', stderr: '' },
  },
  {
    name: 'shell-form CMD and ENTRYPOINT run through the shell; an empty CMD is an empty list',
    setup: built('FROM busybox\nENTRYPOINT echo "$0" hi\nCMD []\n'),
    run: (c) => {
      const cfg = c.docker([
        'image',
        'inspect',
        '-f',
        '{{json .Config.Entrypoint}} {{json .Config.Cmd}}',
        'img',
      ]);
      const run = c.docker(['run', '--rm', 'img']);
      return { code: cfg.code || run.code, stdout: cfg.stdout + run.stdout, stderr: cfg.stderr + run.stderr };
    },
    expect: { code: 0, stdout: '["/bin/sh","-c","echo \\"$0\\" hi"] []\n/bin/sh hi\n', stderr: '' },
  },
  {
    name: 'HEALTHCHECK NONE, and its history',
    setup: built('FROM busybox\nHEALTHCHECK NONE\n'),
    run: (c) => {
      const cfg = c.docker(['image', 'inspect', '-f', '{{json .Config.Healthcheck}}', 'img']);
      const h = c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img']);
      return { code: cfg.code || h.code, stdout: cfg.stdout + h.stdout.split('\n')[0], stderr: '' };
    },
    expect: {
      code: 0,
      stdout: `{"Test":["NONE"]}\n/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" '\\x00'}`,
      stderr: '',
    },
  },
  {
    name: 'HEALTHCHECK with every option: durations as Go prints them',
    setup: built(
      'FROM busybox\nHEALTHCHECK --interval=1m30s --timeout=500ms --start-period=1h --retries=10 CMD ["true"]\n',
    ),
    run: ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img'],
    expect: {
      code: 0,
      stdout: `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD" "true"] "1m30s" "500ms" "1h0m0s" '\\n'}\n${base.split('|')[0]}\n`,
      stderr: '',
    },
  },
  {
    name: 'ONBUILD: recorded as written; the child runs it and does not inherit it',
    setup: [
      (c) => void c.must(['build', '-q', '-t', 'parent', '-'], 'FROM busybox\nONBUILD RUN echo hi > /hi\n'),
      (c) => void c.must(['build', '-q', '-t', 'img', '-'], 'FROM parent\n'),
    ],
    run: (c) => {
      const p = c.docker(['image', 'inspect', '-f', '{{json .Config.OnBuild}}', 'parent', 'img']);
      const run = c.docker(['run', '--rm', 'img', 'cat', '/hi']);
      return { code: p.code || run.code, stdout: p.stdout + run.stdout, stderr: p.stderr + run.stderr };
    },
    expect: { code: 0, stdout: '["RUN echo hi > /hi"]\nnull\nhi\n', stderr: '' },
  },
  {
    name: 'ENV and LABEL forms: quotes, escapes, the old space form, a variable',
    setup: built(
      'FROM busybox\nENV A=1 B="two words" C=a\\ b\nENV D the rest of the line\nLABEL x=$A "y"=\'$A\'\n',
    ),
    run: (c) => {
      const cfg = c.docker(['image', 'inspect', '-f', '{{json .Config.Env}} {{json .Config.Labels}}', 'img']);
      const h = c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img']);
      return { code: cfg.code || h.code, stdout: cfg.stdout + h.stdout, stderr: '' };
    },
    expect: {
      code: 0,
      stdout:
        '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=two words","C=a b","D=the rest of the line"] {"x":"1","y":"$A"}\n' +
        '/bin/sh -c #(nop)  LABEL x=1 y=$A\n' +
        '/bin/sh -c #(nop)  ENV D=the rest of the line\n' +
        '/bin/sh -c #(nop)  ENV A=1 B=two words C=a b\n' +
        'berth fixture: busybox-static from Debian\n',
      stderr: '',
    },
  },
  {
    name: 'EXPOSE: a variable with several ports, protocols lowercased',
    setup: built('FROM busybox\nENV P="81 82/UDP"\nEXPOSE $P 80\n'),
    run: (c) => {
      const cfg = c.docker(['image', 'inspect', '-f', '{{json .Config.ExposedPorts}}', 'img']);
      const h = c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img']);
      return { code: cfg.code || h.code, stdout: cfg.stdout + h.stdout.split('\n')[0], stderr: '' };
    },
    expect: {
      code: 0,
      stdout: '{"80/tcp":{},"81/tcp":{},"82/udp":{}}\n/bin/sh -c #(nop)  EXPOSE 81 82/UDP 80',
      stderr: '',
    },
  },
  {
    name: 'STOPSIGNAL that is not a signal',
    run: ['build', '-q', '-'],
    input: 'FROM busybox\nSTOPSIGNAL FOO\n',
    expect: { code: 1, stdout: '', stderr: /Invalid signal: FOO\n$/ },
  },
  {
    name: 'RUN makes a layer of what it changed; metadata steps make none',
    setup: built('FROM busybox\nRUN echo 12345 > /n\nENV X=1\nRUN rm /n\n'),
    run: (c) => {
      const cfg = c.docker(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'img']);
      const h = c.docker(['history', '--format', '{{.Size}}', 'img']);
      return { code: cfg.code || h.code, stdout: cfg.stdout + h.stdout, stderr: '' };
    },
    expect: { code: 0, stdout: '3\n0B\n0B\n6B\n1.98MB\n', stderr: '' },
  },
  {
    name: 'ADD unpacks a local tar; its history says file',
    setup: built('FROM busybox\nADD t.tar /opt/\n', { 't.tar': tarOf({ 'in/x': 'inside\n' }) }),
    run: (c) => {
      const r = c.docker(['run', '--rm', 'img', 'cat', '/opt/in/x']);
      const h = c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'img']);
      return { code: r.code || h.code, stdout: r.stdout + h.stdout.split('\n')[0], stderr: r.stderr };
    },
    expect: { code: 0, stdout: 'inside\n/bin/sh -c #(nop) ADD file:<id> in /opt/ ', stderr: '' },
  },
  {
    name: 'LABEL lines and --label: one set of labels, --label last',
    setup: [
      (c) =>
        void c.must(
          ['build', '-q', '-t', 'img', '--label', 'b=from-flag', '--label', 'c=3', '-'],
          'FROM busybox\nLABEL a=1 b=2\n',
        ),
    ],
    run: inspect('{{json .Config.Labels}}'),
    expect: { code: 0, stdout: '{"a":"1","b":"from-flag","c":"3"}\n', stderr: '' },
  },
  {
    name: 'the saved config marks each step without a layer as an empty layer',
    setup: built('FROM busybox\nENV A=1\nRUN echo x > /x\nWORKDIR /tmp\nCMD ["sh"]\n'),
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'img']).trim().slice(7);
      return sh(
        c,
        `docker save img | tar -xOf - ${id}.json | grep -o '"empty_layer":true' | wc -l; docker history -q img | wc -l`,
      );
    },
    expect: { code: 0, stdout: '3\n5\n', stderr: '' },
  },
];

sweep('build: image config and history', scenarios);
