// What a classic build reads: the Dockerfile from -f (relative, outside the context, stdin), the
// context from a directory or a tar on stdin, and .dockerignore's rules, as dockerd 20.10 builds them.
import path from 'node:path';
import { context, legacyNotice, sh } from './image-helpers.ts';
import { type Scenario, sweep } from './sweep.ts';

const listing = 'FROM busybox\nCOPY . /ctx/\nRUN find /ctx | sort\n';

/** Builds and keeps only the lines of `find /ctx` that the RUN printed. */
function ctxFiles(script: string): Scenario['run'] {
  return (c) => {
    const r = sh(c, script);
    return {
      ...r,
      stdout: r.stdout
        .split('\n')
        .filter((l) => l.startsWith('/ctx'))
        .map((l) => `${l}\n`)
        .join(''),
    };
  };
}

const rules = context({
  Dockerfile: listing,
  '.dockerignore': '# a comment\n**/*.log\n!keep/*.log\n/root.txt\n  sub/drop.txt  \n',
  'a/b/x.log': '1',
  'a/y.log': '2',
  'top.log': '3',
  'keep/k.log': 'k',
  'root.txt': 'r',
  'sub/root.txt': 'r2',
  'sub/drop.txt': 'd',
  'sub/s.txt': 's',
});

const selfIgnored = context({
  Dockerfile: listing,
  '.dockerignore': 'Dockerfile\n.dockerignore\n',
  'f.txt': 'f',
});

const classicIgnoresPerDockerfile = context({
  Dockerfile: listing,
  'Dockerfile.dockerignore': 'f.txt\n',
  '.dockerignore': '*.log\n',
  'f.txt': 'f',
  'x.log': 'x',
});

const layout = context({
  'ctx/Dockerfile': 'FROM busybox\nRUN echo from-context\n',
  'ctx/sub/Df': listing,
  'ctx/a.txt': 'a',
  'outside.Dockerfile': listing,
});
const ctxDir = path.join(layout, 'ctx');

const scenarios: Scenario[] = [
  {
    name: '.dockerignore: comments, `**`, `!` exceptions, a leading `/`, spaces around a rule',
    run: ctxFiles(`docker build ${rules}`),
    expect: {
      code: 0,
      stdout:
        '/ctx\n/ctx/.dockerignore\n/ctx/Dockerfile\n/ctx/a\n/ctx/a/b\n/ctx/keep\n/ctx/keep/k.log\n/ctx/sub\n/ctx/sub/root.txt\n/ctx/sub/s.txt\n',
      stderr: legacyNotice,
    },
  },
  {
    name: '.dockerignore naming the Dockerfile and itself: both still read, neither copied',
    run: ctxFiles(`docker build ${selfIgnored}`),
    expect: { code: 0, stdout: '/ctx\n/ctx/f.txt\n', stderr: legacyNotice },
  },
  {
    name: 'Dockerfile.dockerignore is BuildKit’s: the classic builder uses .dockerignore alone',
    run: ctxFiles(`docker build ${classicIgnoresPerDockerfile}`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/.dockerignore\n/ctx/Dockerfile\n/ctx/Dockerfile.dockerignore\n/ctx/f.txt\n',
      stderr: legacyNotice,
    },
  },
  {
    name: '-f with a path relative to where docker runs, inside the context',
    run: ctxFiles(`cd ${ctxDir} && docker build -f sub/Df .`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/sub\n/ctx/sub/Df\n',
      stderr: legacyNotice,
    },
  },
  {
    name: '-f with a relative path that is not there',
    run: (c) => sh(c, `cd ${ctxDir} && docker build -f nope .`),
    expect: {
      code: 1,
      stdout: '',
      stderr: `${legacyNotice}unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${ctxDir}/nope: no such file or directory\n`,
    },
  },
  {
    name: '-f outside the context: sent along, and not copied',
    run: ctxFiles(`docker build -f ${layout}/outside.Dockerfile ${ctxDir}`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/sub\n/ctx/sub/Df\n',
      stderr: legacyNotice,
    },
  },
  {
    name: '-f - reads the Dockerfile from stdin, with a context directory',
    run: ctxFiles(`docker build -f - ${ctxDir} < ${layout}/outside.Dockerfile`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/sub\n/ctx/sub/Df\n',
      stderr: legacyNotice,
    },
  },
  {
    name: 'a context tar on stdin, with its Dockerfile',
    run: ctxFiles(`tar -C ${ctxDir} -cf - . | docker build -f sub/Df -`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/sub\n/ctx/sub/Df\n',
      stderr: legacyNotice,
    },
  },
  {
    name: 'a context tar on stdin without the Dockerfile named',
    run: (c) => sh(c, `tar -C ${ctxDir}/sub -cf - . | docker build -`),
    expect: {
      code: 1,
      stdout: 'Sending build context to Docker daemon  10.24kB\r\r\n',
      stderr: `${legacyNotice}Error response from daemon: Cannot locate specified Dockerfile: Dockerfile\n`,
    },
  },
  {
    name: 'a gzipped context tar on stdin',
    run: ctxFiles(`tar -C ${ctxDir} -czf - . | docker build -f sub/Df -`),
    expect: {
      code: 0,
      stdout: '/ctx\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/sub\n/ctx/sub/Df\n',
      stderr: legacyNotice,
    },
  },
  {
    name: 'a Dockerfile on stdin: the context is that Dockerfile alone',
    run: ctxFiles(`docker build - < ${layout}/outside.Dockerfile`),
    expect: { code: 0, stdout: '/ctx\n/ctx/Dockerfile\n', stderr: legacyNotice },
  },
  {
    name: 'stdin cannot be both the Dockerfile and the context',
    run: (c) => sh(c, `docker build -f - - < ${layout}/outside.Dockerfile`),
    expect: {
      code: 1,
      stdout: '',
      stderr: `${legacyNotice}invalid argument: can't use stdin for both build context and dockerfile\n`,
    },
  },
  {
    name: 'a lowercase dockerfile is found when there is no Dockerfile',
    run: (c) =>
      sh(c, `docker build ${context({ dockerfile: 'FROM busybox\nRUN echo lower\n' })} | grep lower`),
    expect: { code: 0, stdout: 'Step 2/2 : RUN echo lower\nlower\n', stderr: legacyNotice },
  },
];

sweep('build: Dockerfile and context sources, .dockerignore', scenarios);
