// docker image inspect and docker history, as dockerd 20.10 answers them.
import type { RunResult } from '../harness.ts';
import { outFile, sh } from './image-helpers.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

/** An image built on busybox: a RUN layer, then metadata steps. */
const built = (c: Ctx) =>
  void c.must(
    ['build', '-q', '-t', 'app', '-'],
    'FROM busybox\nRUN echo hello > /hello\nENV E=1\nLABEL b=2 a=1\nEXPOSE 90 80\nCMD ["sh"]\n',
  );

/** The keys of the daemon's own JSON, in its order (the CLI prints `docker inspect` as it gets it). */
function keys(c: Ctx, args: string[], pick: (v: Record<string, unknown>) => unknown): RunResult {
  const r = c.docker(args);
  if (r.code !== 0) return r;
  const [first] = JSON.parse(r.stdout) as Record<string, unknown>[];
  return { ...r, stdout: `${JSON.stringify(pick(first))}\n` };
}

const scenarios: Scenario[] = [
  {
    name: 'image inspect --format: tags, platform, size, layers',
    run: [
      'image',
      'inspect',
      '-f',
      '{{.RepoTags}} {{.RepoDigests}} {{.Architecture}}/{{.Os}} {{.Size}} {{.RootFS.Type}} {{len .RootFS.Layers}} {{.Parent}}|{{.Comment}}|{{.Author}}',
      'busybox',
    ],
    expect: { code: 0, stdout: '[busybox:latest] [] amd64/linux 1984376 layers 1 ||\n', stderr: '' },
  },
  {
    name: 'image inspect of a missing image: [] and the daemon’s words',
    run: ['image', 'inspect', 'nope'],
    expect: {
      code: 1,
      stdout: '[]\n',
      stderr: 'Error response from daemon: no such image: nope: No such image: nope:latest\n',
    },
  },
  {
    name: 'image inspect of a malformed name',
    run: ['image', 'inspect', 'Nope'],
    expect: {
      code: 1,
      stdout: '[]\n',
      stderr:
        'Error response from daemon: no such image: Nope: invalid reference format: repository name must be lowercase\n',
    },
  },
  {
    name: 'image inspect of two, one missing: the one found is printed, the exit code is 1',
    run: ['image', 'inspect', '-f', '{{.Id}}', 'busybox', 'nope:1'],
    expect: {
      code: 1,
      stdout: 'sha256:<digest>\n',
      stderr: 'Error response from daemon: no such image: nope:1: No such image: nope:1\n',
    },
  },
  {
    name: 'inspect --type image, by short ID',
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      return c.docker(['inspect', '--type', 'image', '-f', '{{index .RepoTags 0}}', id.slice(7, 19)]);
    },
    expect: { code: 0, stdout: 'busybox:latest\n', stderr: '' },
  },
  {
    name: 'inspect without --type finds an image; a missing name is no such object',
    run: ['inspect', '-f', '{{.Os}}', 'busybox', 'nope'],
    expect: { code: 1, stdout: 'linux\n', stderr: 'Error: No such object: nope\n' },
  },
  {
    name: 'image inspect: the runtime config of a built image',
    setup: [built],
    run: ['image', 'inspect', '-f', '{{json .Config}}', 'app'],
    expect: {
      code: 0,
      stdout:
        '{"ExposedPorts":{"80/tcp":{},"90/tcp":{}},"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","E=1"],"Cmd":["sh"],"Labels":{"a":"1","b":"2"}}\n',
      stderr: '',
    },
  },
  {
    name: 'image inspect: every field of the runtime config is in the daemon’s JSON, in its order',
    setup: [built],
    run: (c) => keys(c, ['image', 'inspect', 'app'], (v) => Object.keys(v.Config as object)),
    expect: {
      code: 0,
      stdout:
        '["Hostname","Domainname","User","AttachStdin","AttachStdout","AttachStderr","ExposedPorts","Tty","OpenStdin","StdinOnce","Env","Cmd","Image","Volumes","WorkingDir","Entrypoint","OnBuild","Labels"]\n',
      stderr: '',
    },
  },
  {
    name: 'image inspect: a built image’s parent, and its config’s Image, are the previous step',
    setup: [built],
    run: (c) => {
      const r = keys(c, ['image', 'inspect', 'app'], (v) => [
        v.Parent === (v.Config as { Image: string }).Image,
        v.Parent !== '',
      ]);
      return r;
    },
    expect: { code: 0, stdout: '[true,true]\n', stderr: '' },
  },
  {
    name: 'history: the built image’s steps, each named by the image it made',
    setup: [built],
    // The CREATED column's width follows its longest age, which varies run to run: not shown here.
    run: ['history', '--format', 'table {{.ID}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}', 'app'],
    expect: {
      code: 0,
      stdout:
        'IMAGE          CREATED BY                                  SIZE      COMMENT\n' +
        '<short-id>   /bin/sh -c #(nop)  CMD ["sh"]               0B        \n' +
        '<short-id>   /bin/sh -c #(nop)  EXPOSE 80 90             0B        \n' +
        '<short-id>   /bin/sh -c #(nop)  LABEL b=2 a=1            0B        \n' +
        '<short-id>   /bin/sh -c #(nop)  ENV E=1                  0B        \n' +
        '<short-id>   /bin/sh -c echo hello > /hello              6B        \n' +
        '<short-id>   berth fixture: busybox-static from Debian   1.98MB    \n',
      stderr: '',
    },
  },
  {
    name: 'history -q and --no-trunc',
    setup: [built],
    run: (c) => {
      const q = c.docker(['history', '-q', 'app']);
      const full = c.docker(['history', '-q', '--no-trunc', 'app']);
      return {
        code: q.code || full.code,
        stdout: `${q.stdout}--\n${full.stdout}`,
        stderr: q.stderr + full.stderr,
      };
    },
    expect: {
      code: 0,
      stdout: `${'<short-id>\n'.repeat(6)}--\n${'sha256:<digest>\n'.repeat(6)}`,
      stderr: '',
    },
  },
  {
    name: 'history --format with sizes in bytes (-H=false)',
    setup: [built],
    run: ['history', '-H=false', '--format', '{{.Size}}|{{.CreatedBy}}', 'app'],
    expect: {
      code: 0,
      stdout:
        '0|/bin/sh -c #(nop)  CMD ["sh"]\n0|/bin/sh -c #(nop)  EXPOSE 80 90\n0|/bin/sh -c #(nop)  LABEL b=2 a=1\n0|/bin/sh -c #(nop)  ENV E=1\n6|/bin/sh -c echo hello > /hello\n1984376|berth fixture: busybox-static from Debian\n',
      stderr: '',
    },
  },
  {
    name: 'history --format json',
    run: ['history', '--format', '{{json .}}', 'busybox'],
    expect: {
      code: 0,
      stdout:
        '{"Comment":"","CreatedAt":"<time>","CreatedBy":"berth fixture: busybox-static from Debian","CreatedSince":"<ago>","ID":"<short-id>","Size":"1.98MB"}\n',
      stderr: '',
    },
  },
  {
    name: 'history of a missing image',
    run: ['history', 'nope'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope:latest\n' },
  },
  {
    name: 'history of a saved and loaded image: its steps have no images here',
    setup: [built],
    run: (c) => {
      const tar = outFile('app.tar');
      return sh(
        c,
        `docker save -o ${tar} app && docker rmi -f app >/dev/null && docker load -q -i ${tar} >/dev/null && docker history --format '{{.ID}} {{.Size}}' app`,
      );
    },
    expect: {
      code: 0,
      stdout: '<short-id> 0B\n<missing> 0B\n<missing> 0B\n<missing> 0B\n<missing> 6B\n<missing> 1.98MB\n',
      stderr: '',
    },
  },
];

sweep('image inspect and history', scenarios);
