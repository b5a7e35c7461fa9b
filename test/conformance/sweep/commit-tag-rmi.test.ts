// docker tag, docker rmi and docker commit, as dockerd 20.10 answers them.
import { sorted } from './image-helpers.ts';
import { type Ctx, type Scenario, sweep } from './sweep.ts';

const both = (a: { code: number; stdout: string; stderr: string }, b: typeof a) => ({
  code: a.code || b.code,
  stdout: a.stdout + b.stdout,
  stderr: a.stderr + b.stderr,
});

/** A container that wrote /f, stopped. */
const ran = (c: Ctx) =>
  void c.docker(['run', '--name', 'src', '-e', 'X=1', '-w', '/tmp', 'busybox', 'sh', '-c', 'echo hi > /f']);

const scenarios: Scenario[] = [
  {
    name: 'tag: a source that is not there',
    run: ['tag', 'nope', 'x'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope:latest\n' },
  },
  {
    name: 'tag: a tag of a source that is not there',
    run: ['tag', 'busybox:nope', 'x'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: busybox:nope\n' },
  },
  {
    name: 'tag: an uppercase target is refused by the client',
    run: ['tag', 'busybox', 'Bad/Name'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error parsing reference: "Bad/Name" is not a valid repository/tag: invalid reference format: repository name (Name) must be lowercase\n',
    },
  },
  {
    name: 'tag: a target with a digest',
    run: ['tag', 'busybox', `x@sha256:${'a'.repeat(64)}`],
    expect: { code: 1, stdout: '', stderr: 'refusing to create a tag with a digest reference\n' },
  },
  {
    name: 'tag: a target named like a digest algorithm',
    run: ['tag', 'busybox', 'sha256:x'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: refusing to create an ambiguous tag using digest algorithm as name\n',
    },
  },
  {
    name: 'tag: by short ID, and by sha256: ID',
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      const a = c.docker(['tag', id.slice(7, 19), 'by-short']);
      const b = c.docker(['tag', id.slice(0, 19), 'by-prefixed:2']);
      return both(both(a, b), sorted(c, ['images', '--format', '{{.Repository}}:{{.Tag}}']));
    },
    expect: { code: 0, stdout: 'busybox:latest\nby-prefixed:2\nby-short:latest\n', stderr: '' },
  },
  {
    name: 'tag: moving a tag to another image leaves the old one untagged (dangling)',
    setup: [(c) => void c.must(['build', '-q', '-t', 'moved', '-'], 'FROM busybox\nLABEL v=1\n')],
    run: (c) =>
      both(
        c.docker(['tag', 'busybox', 'moved']),
        c.docker(['images', '-f', 'dangling=true', '--format', '{{.Repository}}:{{.Tag}}']),
      ),
    expect: { code: 0, stdout: '<none>:<none>\n', stderr: '' },
  },
  {
    name: 'rmi: one of two tags only untags',
    setup: [
      ['tag', 'busybox', 'a:1'],
      ['tag', 'busybox', 'a:2'],
    ],
    run: ['rmi', 'a:1'],
    expect: { code: 0, stdout: 'Untagged: a:1\n', stderr: '' },
    then: [{ run: ['images', 'a', '--format', '{{.Tag}}'], expect: { code: 0, stdout: '2\n' } }],
  },
  {
    name: 'rmi: by ID of an image with tags in two repositories needs -f',
    setup: [['tag', 'busybox', 'other:1']],
    run: (c) =>
      c.docker(['rmi', c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim().slice(7, 19)]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: conflict: unable to delete <short-id> (must be forced) - image is referenced in multiple repositories\n',
    },
  },
  {
    name: 'rmi -f by ID: every tag goes, then the image and its layer',
    setup: [
      (c) => void c.must(['build', '-q', '-t', 'gone:1', '-'], 'FROM busybox\nRUN echo x > /x\n'),
      ['tag', 'gone:1', 'also:2'],
    ],
    run: (c) => c.docker(['rmi', '-f', c.must(['image', 'inspect', '-f', '{{.Id}}', 'gone:1']).trim()]),
    expect: {
      code: 0,
      stdout: 'Untagged: also:2\nUntagged: gone:1\nDeleted: sha256:<digest>\nDeleted: sha256:<digest>\n',
      stderr: '',
    },
  },
  {
    name: 'rmi of a built image deletes its untagged parents too; --no-prune keeps them',
    setup: [
      (c) => void c.must(['build', '-q', '-t', 'p1', '-'], 'FROM busybox\nENV A=1\nENV B=2\n'),
      (c) => void c.must(['build', '-q', '-t', 'p2', '-'], 'FROM busybox\nENV C=1\nENV D=2\n'),
    ],
    run: (c) => {
      const a = c.docker(['rmi', 'p1']);
      const b = c.docker(['rmi', '--no-prune', 'p2']);
      return { ...both(a, b), stdout: `${a.stdout}--\n${b.stdout}` };
    },
    expect: {
      code: 0,
      stdout:
        'Untagged: p1:latest\nDeleted: sha256:<digest>\nDeleted: sha256:<digest>\n--\nUntagged: p2:latest\nDeleted: sha256:<digest>\n',
      stderr: '',
    },
  },
  {
    name: 'rmi of an image a stopped container uses',
    setup: [
      ['tag', 'busybox', 'used:1'],
      ['create', '--name', 'user', 'used:1'],
    ],
    run: (c) => {
      const byId = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      c.must(['rmi', 'busybox']);
      return c.docker(['rmi', byId.slice(7, 19)]);
    },
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: conflict: unable to delete <short-id> (must be forced) - image is being used by stopped container <short-id>\n',
    },
  },
  {
    name: 'rmi of the last tag of an image a container uses',
    setup: [['create', '--name', 'user', 'busybox']],
    run: ['rmi', 'busybox'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: conflict: unable to remove repository reference "busybox" (must force) - container <short-id> is using its referenced image <short-id>\n',
    },
  },
  {
    name: 'rmi -f of an image a running container uses: untagged, not deleted',
    setup: [
      ['tag', 'busybox', 'run:1'],
      ['run', '-d', '--name', 'user', 'run:1', 'sleep', '60'],
    ],
    run: ['rmi', '-f', 'run:1'],
    expect: { code: 0, stdout: 'Untagged: run:1\n', stderr: '' },
  },
  {
    name: 'rmi of an image with child images',
    setup: [(c) => void c.must(['build', '-q', '-t', 'child', '-'], 'FROM busybox\nENV A=1\n')],
    run: (c) => c.docker(['rmi', '-f', c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim()]),
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: conflict: unable to delete <short-id> (cannot be forced) - image has dependent child images\n',
    },
  },
  {
    name: 'rmi of several, one missing: the others go, exit 1',
    setup: [
      ['tag', 'busybox', 'x:1'],
      ['tag', 'busybox', 'y:1'],
    ],
    run: ['rmi', 'x:1', 'nope', 'y:1'],
    expect: {
      code: 1,
      stdout: 'Untagged: x:1\nUntagged: y:1\n',
      stderr: 'Error response from daemon: No such image: nope:latest\n',
    },
  },
  {
    name: 'rmi of a malformed name',
    run: ['rmi', 'Nope:1'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: invalid reference format: repository name must be lowercase\n',
    },
  },
  {
    name: 'commit with -c, -m and -a: the config, the message, the author, and a runnable image',
    setup: [ran],
    run: (c) => {
      c.must([
        'commit',
        '-c',
        'CMD ["cat","/f"]',
        '-c',
        'ENV Y=2',
        '-c',
        'EXPOSE 8080',
        '-c',
        'LABEL k=v',
        '-m',
        'msg here',
        '-a',
        'Me <me@x>',
        'src',
        'img:c',
      ]);
      const cfg = c.docker(['image', 'inspect', '-f', '{{json .Config}}|{{.Comment}}|{{.Author}}', 'img:c']);
      return both(cfg, c.docker(['run', '--rm', 'img:c']));
    },
    expect: {
      code: 0,
      stdout:
        '{"ExposedPorts":{"8080/tcp":{}},"Env":["X=1","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","Y=2"],"Cmd":["cat","/f"],"WorkingDir":"/tmp","Labels":{"k":"v"}}|msg here|Me <me@x>\nhi\n',
      stderr: '',
    },
  },
  {
    name: 'commit: its history line is the container’s command, with the message',
    setup: [ran, ['commit', '-m', 'saved', 'src', 'img:c']],
    run: ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}|{{.Size}}', 'img:c'],
    expect: {
      code: 0,
      stdout: 'sh -c echo hi > /f|saved|3B\nberth fixture: busybox-static from Debian||1.98MB\n',
      stderr: '',
    },
  },
  {
    name: 'commit: the image records the container and its parent',
    setup: [ran, ['commit', 'src', 'img:c']],
    run: (c) => {
      const cid = c.must(['inspect', '-f', '{{.Id}}', 'src']).trim();
      const base = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      const r = c.docker(['image', 'inspect', '-f', '{{.Container}} {{.Parent}}', 'img:c']);
      return { ...r, stdout: `${r.stdout === `${cid} ${base}\n`}` };
    },
    expect: { code: 0, stdout: 'true', stderr: '' },
  },
  {
    name: 'commit without a name makes a dangling image; the ID is printed',
    setup: [ran],
    run: (c) => both(c.docker(['commit', 'src']), c.docker(['images', '-f', 'dangling=true', '-q'])),
    expect: { code: 0, stdout: 'sha256:<digest>\n<short-id>\n', stderr: '' },
  },
  {
    name: 'commit -c with an instruction commit does not take',
    setup: [ran],
    run: ['commit', '-c', 'RUN echo x', 'src'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: run is not a valid change command\n',
    },
  },
  {
    name: 'commit -c ENV without a value',
    setup: [ran],
    run: ['commit', '-c', 'ENV', 'src'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: ENV requires at least one argument\n',
    },
  },
  {
    name: 'commit of a container that is not there',
    run: ['commit', 'nope'],
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such container: nope\n' },
  },
  {
    name: 'commit to a malformed name is refused by the client',
    setup: [ran],
    run: ['commit', 'src', 'Bad'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'invalid reference format: repository name (library/Bad) must be lowercase\n',
    },
  },
  {
    name: 'commit of a running container: paused for the commit, running after; --pause=false too',
    setup: [['run', '-d', '--name', 'live', 'busybox', 'sh', '-c', 'echo live > /live; sleep 60']],
    run: (c) => {
      c.must(['commit', 'live', 'snap:1']);
      c.must(['commit', '--pause=false', 'live', 'snap:2']);
      const state = c.docker(['inspect', '-f', '{{.State.Status}}', 'live']);
      return both(state, c.docker(['run', '--rm', 'snap:2', 'cat', '/live']));
    },
    expect: { code: 0, stdout: 'running\nlive\n', stderr: '' },
  },
];

sweep('tag, rmi and commit', scenarios);
