// docker build with the classic builder (the CLI without buildx), as dockerd 20.10 runs it: the
// progress lines scripts grep, -t, -q, --iidfile, --target, --label, --build-arg, --rm, the cache,
// and how failures read.
import { readFileSync } from 'node:fs';
import { context, legacyNotice, outFile, sorted } from './image-helpers.ts';
import { type Scenario, sweep } from './sweep.ts';

const simple = context({ Dockerfile: 'FROM busybox\nRUN echo hi > /f\nENV A=1\nCMD ["sh"]\n' });
// stdout and stderr of one command reach the client in either order: each step writes to one of them.
const failing = context({
  Dockerfile: 'FROM busybox\nRUN echo out\nRUN echo err >&2; exit 3\nRUN echo never\n',
});
const stages = context({
  Dockerfile:
    'FROM busybox AS one\nRUN echo one > /one\nFROM busybox AS two\nCOPY --from=one /one /one\nRUN cat /one\nFROM two\nRUN echo three\n',
});
const args = context({
  Dockerfile:
    'ARG BASE=busybox\nFROM $BASE\nARG A\nARG B=dflt\nRUN echo "A=$A B=$B"\nARG BASE\nRUN echo "base=$BASE"\nFROM busybox\nRUN echo "second A=[$A] BASE=[$BASE]"\n',
});
const meta = context({ Dockerfile: 'FROM busybox\nENV X=2\nRUN true\n' });

const built = 'Successfully built <short-id>\n';
/** The CLI's upload progress line, as it prints it when stdout is not a terminal. */
const sending = 'Sending build context to Docker daemon  2.048kB\r\r\n';

const scenarios: Scenario[] = [
  {
    name: 'build: the step lines, a container per step, and the result',
    run: ['build', simple],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/4 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/4 : RUN echo hi > /f\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/4 : ENV A=1\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 4/4 : CMD ["sh"]\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        built,
      stderr: legacyNotice,
    },
  },
  {
    name: 'build again: every step from the cache, the same image',
    setup: [['build', '-t', 'first', simple]],
    run: ['build', '-t', 'second', simple],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/4 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/4 : RUN echo hi > /f\n ---> Using cache\n ---> <short-id>\n' +
        'Step 3/4 : ENV A=1\n ---> Using cache\n ---> <short-id>\n' +
        'Step 4/4 : CMD ["sh"]\n ---> Using cache\n ---> <short-id>\n' +
        built +
        'Successfully tagged second:latest\n',
      stderr: legacyNotice,
    },
    then: [
      {
        run: ['images', '--format', '{{.Repository}} {{.ID}}', '--filter', 'reference=first'],
        expect: { code: 0, stdout: 'first <short-id>\n' },
      },
    ],
  },
  {
    name: 'build --no-cache runs every step again',
    setup: [['build', simple]],
    run: (c) => {
      const r = c.docker(['build', '--no-cache', simple]);
      return { ...r, stdout: String((r.stdout.match(/Running in/g) ?? []).length) };
    },
    expect: { code: 0, stdout: '3', stderr: legacyNotice },
  },
  {
    name: 'build -t twice: both tags, in order',
    run: ['build', '-t', 'a', '-t', 'b:1', simple],
    expect: {
      code: 0,
      stdout: /Successfully built <short-id>\nSuccessfully tagged a:latest\nSuccessfully tagged b:1\n$/,
    },
    then: [
      { run: ['images', '--format', '{{.Repository}}:{{.Tag}}', 'b'], expect: { code: 0, stdout: 'b:1\n' } },
    ],
  },
  {
    name: 'build -q prints the image ID only',
    run: ['build', '-q', '-t', 'q', simple],
    expect: { code: 0, stdout: 'sha256:<digest>\n', stderr: legacyNotice },
  },
  {
    name: 'build --iidfile writes the image ID, without a newline (with -q, the line as printed)',
    run: (c) => {
      const file = outFile('iid');
      const quiet = outFile('iid-q');
      const r = c.docker(['build', '-t', 'iid', '--iidfile', file, simple]);
      c.must(['build', '-q', '--iidfile', quiet, simple]);
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'iid']).trim();
      return {
        ...r,
        stdout: `${readFileSync(file, 'utf8') === id} ${JSON.stringify(readFileSync(quiet, 'utf8'))}`,
      };
    },
    expect: { code: 0, stdout: 'true "sha256:<digest>\\n"', stderr: legacyNotice },
  },
  {
    name: 'build with a failing RUN: its output, stderr marked red, and its exit code',
    run: ['build', failing],
    expect: {
      code: 3,
      stdout:
        sending +
        'Step 1/4 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/4 : RUN echo out\n ---> Running in <short-id>\nout\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/4 : RUN echo err >&2; exit 3\n ---> Running in <short-id>\n\u001b[91merr\n\u001b[0m',
      stderr: `${legacyNotice}The command '/bin/sh -c echo err >&2; exit 3' returned a non-zero code: 3\n`,
    },
  },
  {
    name: 'build -q with a failing RUN: what it would have printed goes to stderr',
    run: ['build', '-q', failing],
    expect: {
      code: 3,
      stdout: '',
      stderr:
        legacyNotice +
        sending +
        'Step 1/4 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/4 : RUN echo out\n ---> Running in <short-id>\nout\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/4 : RUN echo err >&2; exit 3\n ---> Running in <short-id>\n\u001b[91merr\n\u001b[0m' +
        "The command '/bin/sh -c echo err >&2; exit 3' returned a non-zero code: 3\n",
    },
  },
  {
    name: 'a failed step’s container stays (dockerd)',
    only: { engine: 'dockerd', why: 'berthd removes a failed step’s container (see the next scenario)' },
    setup: [(c) => void c.docker(['build', failing])],
    run: ['ps', '-a', '--format', '{{.Status}}'],
    expect: { code: 0, stdout: /^Exited \(3\) <ago>\n$/, stderr: '' },
  },
  {
    name: 'a failed step’s container is removed (berthd)',
    only: {
      engine: 'berthd',
      why: 'deliberate: berthd never leaves a build’s container behind (dockerd keeps a failed one without --force-rm)',
    },
    setup: [(c) => void c.docker(['build', failing])],
    run: ['ps', '-a', '--format', '{{.Status}}'],
    expect: { code: 0, stdout: '', stderr: '' },
  },
  {
    name: 'build --force-rm removes a failed step’s container',
    setup: [(c) => void c.docker(['build', '--force-rm', failing])],
    run: ['ps', '-a', '--format', '{{.Status}}'],
    expect: { code: 0, stdout: '', stderr: '' },
  },
  {
    name: 'build --rm=false keeps each step’s container, created or exited',
    run: ['build', '--rm=false', meta],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/3 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/3 : ENV X=2\n ---> Running in <short-id>\n ---> <short-id>\n' +
        'Step 3/3 : RUN true\n ---> Running in <short-id>\n ---> <short-id>\n' +
        built,
      stderr: legacyNotice,
    },
    then: [
      {
        run: ['ps', '-a', '--no-trunc', '--format', '{{.Command}}|{{.Status}}'],
        expect: {
          code: 0,
          stdout:
            /^"\/bin\/sh -c true"\|Exited \(0\) <ago>\n"\/bin\/sh -c '#\(nop\) ' 'ENV X=2'"\|Created\n$/,
        },
      },
    ],
  },
  {
    name: 'build --target stops after that stage',
    run: ['build', '--target', 'two', '-t', 'tg', stages],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/5 : FROM busybox AS one\n ---> <short-id>\n' +
        'Step 2/5 : RUN echo one > /one\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/5 : FROM busybox AS two\n ---> <short-id>\n' +
        'Step 4/5 : COPY --from=one /one /one\n ---> <short-id>\n' +
        'Step 5/5 : RUN cat /one\n ---> Running in <short-id>\none\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        built +
        'Successfully tagged tg:latest\n',
      stderr: legacyNotice,
    },
  },
  {
    name: 'build --target of a stage that is not there',
    run: ['build', '--target', 'nope', stages],
    expect: {
      code: 1,
      stdout: sending,
      stderr: `${legacyNotice}Error response from daemon: failed to reach build target nope in Dockerfile\n`,
    },
  },
  {
    name: 'build --label: one LABEL step per label, sorted, on the last stage',
    run: ['build', '--label', 'zz=1', '--label', 'aa=two words', meta],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/5 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/5 : ENV X=2\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/5 : RUN true\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 4/5 : LABEL aa=two words\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 5/5 : LABEL zz=1\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        built,
      stderr: legacyNotice,
    },
  },
  {
    name: 'build args: defaults, --build-arg, the global ARG in a stage, scoping, and the unused ones named',
    run: ['build', '--build-arg', 'A=aa', '--build-arg', 'UU=2', args],
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/9 : ARG BASE=busybox\n' +
        'Step 2/9 : FROM $BASE\n ---> <short-id>\n' +
        'Step 3/9 : ARG A\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 4/9 : ARG B=dflt\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 5/9 : RUN echo "A=$A B=$B"\n ---> Running in <short-id>\nA=aa B=dflt\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 6/9 : ARG BASE\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 7/9 : RUN echo "base=$BASE"\n ---> Running in <short-id>\nbase=busybox\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 8/9 : FROM busybox\n ---> <short-id>\n' +
        'Step 9/9 : RUN echo "second A=[$A] BASE=[$BASE]"\n ---> Running in <short-id>\nsecond A=[] BASE=[]\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        '[Warning] One or more build-args [UU] were not consumed\n' +
        built,
      stderr: legacyNotice,
    },
  },
  {
    name: 'a RUN’s history names the build args it saw',
    setup: [(c) => void c.must(['build', '-q', '-t', 'ba', '--build-arg', 'A=aa', args])],
    run: (c) => sorted(c, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'ba']),
    expect: {
      code: 0,
      stdout: '/bin/sh -c echo "second A=[$A] BASE=[$BASE]"\nberth fixture: busybox-static from Debian\n',
      stderr: '',
    },
  },
  {
    name: 'a RUN’s history in the first stage: |N and the sorted args',
    run: (c) => {
      const id = c.must(
        ['build', '-q', '--build-arg', 'A=aa', '-f', '-', args],
        'ARG BASE=busybox\nFROM $BASE\nARG A\nARG B=dflt\nRUN echo "A=$A B=$B"\n',
      );
      return c.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', id.trim()]);
    },
    expect: {
      code: 0,
      stdout:
        '|2 A=aa B=dflt /bin/sh -c echo "A=$A B=$B"\n/bin/sh -c #(nop)  ARG B=dflt\n/bin/sh -c #(nop)  ARG A\nberth fixture: busybox-static from Debian\n',
      stderr: '',
    },
  },
  {
    name: 'ONBUILD triggers run first in a child build',
    setup: [
      (c) =>
        void c.must(
          ['build', '-q', '-t', 'parent', '-'],
          'FROM busybox\nONBUILD RUN echo triggered > /t\nONBUILD ENV T=1\n',
        ),
    ],
    run: ['build', '-'],
    input: 'FROM parent\nRUN cat /t\n',
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/2 : FROM parent\n' +
        '# Executing 2 build triggers\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 2/2 : RUN cat /t\n ---> Running in <short-id>\ntriggered\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        built,
      stderr: legacyNotice,
    },
  },
  {
    name: 'COPY of a file that is not in the context',
    run: ['build', '-'],
    input: 'FROM busybox\nCOPY nope /x\n',
    expect: {
      code: 1,
      stdout: `${sending}Step 1/2 : FROM busybox\n ---> <short-id>\nStep 2/2 : COPY nope /x\n`,
      stderr: `${legacyNotice}COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist\n`,
    },
  },
  {
    name: 'an unknown instruction fails before the build starts',
    run: ['build', '-'],
    input: 'FROM busybox\nRUN true\nFOOBAR x\n',
    expect: {
      code: 1,
      stdout: sending,
      stderr: `${legacyNotice}Error response from daemon: dockerfile parse error line 3: unknown instruction: FOOBAR\n`,
    },
  },
  {
    name: 'an empty Dockerfile',
    run: ['build', '-'],
    input: '',
    expect: {
      code: 1,
      stdout: 'Sending build context to Docker daemon  1.536kB\r\r\n',
      stderr: `${legacyNotice}Error response from daemon: the Dockerfile (Dockerfile) cannot be empty\n`,
    },
  },
  {
    name: 'a Dockerfile with only comments',
    run: ['build', '-'],
    input: '# nothing\n\n',
    expect: {
      code: 1,
      stdout: sending,
      stderr: `${legacyNotice}Error response from daemon: failed to parse Dockerfile: file with no instructions\n`,
    },
  },
  {
    name: 'RUN --mount needs BuildKit',
    run: ['build', '-'],
    input: 'FROM busybox\nRUN --mount=type=cache,target=/c true\n',
    expect: {
      code: 1,
      stdout: `${sending}Step 1/2 : FROM busybox\n ---> <short-id>\nStep 2/2 : RUN --mount=type=cache,target=/c true\n`,
      stderr: `${legacyNotice}the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled\n`,
    },
  },
  {
    name: 'a second HEALTHCHECK says which one it replaces',
    run: ['build', '-'],
    input: 'FROM busybox\nHEALTHCHECK CMD true\nHEALTHCHECK CMD false\n',
    expect: {
      code: 0,
      stdout:
        sending +
        'Step 1/3 : FROM busybox\n ---> <short-id>\n' +
        'Step 2/3 : HEALTHCHECK CMD true\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        'Step 3/3 : HEALTHCHECK CMD false\nNote: overriding previous HEALTHCHECK: [CMD-SHELL true]\n ---> Running in <short-id>\nRemoving intermediate container <short-id>\n ---> <short-id>\n' +
        built,
      stderr: legacyNotice,
    },
  },
];

sweep('build', scenarios);
