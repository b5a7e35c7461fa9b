// docker rename and docker wait, as dockerd answers them.
import { type Scenario, sweep } from './sweep.ts';

const scenarios: Scenario[] = [
  {
    name: 'rename: the new name is what ps shows; the old one is free',
    setup: [['create', '--name', 'old-name', 'busybox', 'true']],
    run: ['rename', 'old-name', 'new-name'],
    expect: { code: 0, stdout: '', stderr: '' },
    then: [
      { run: ['ps', '-a', '--format', '{{.Names}}'], expect: { code: 0, stdout: 'new-name\n' } },
      { run: ['create', '--name', 'old-name', 'busybox', 'true'], expect: { code: 0, stdout: '<id>\n' } },
    ],
  },
  {
    name: 'rename: to a name in use is a conflict',
    setup: [
      ['create', '--name', 'first', 'busybox', 'true'],
      ['create', '--name', 'second', 'busybox', 'true'],
    ],
    run: ['rename', 'first', 'second'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        'Error response from daemon: Error when allocating new name: Conflict. The container name "/second" is already in use by container "<id>". You have to remove (or rename) that container to be able to reuse that name.\nError: failed to rename container named first\n',
    },
  },
  {
    name: 'rename: a missing container',
    run: ['rename', 'nope', 'other'],
    expect: {
      code: 1,
      stdout: '',
      stderr:
        /^Error response from daemon: No such container: nope\n(Error: failed to rename container named nope\n)?$/,
    },
  },
  {
    name: 'wait: prints the exit code of each container, in order',
    setup: [
      (c) => void c.docker(['run', '--name', 'w1', 'busybox', 'sh', '-c', 'exit 3']),
      ['run', '--name', 'w2', 'busybox', 'true'],
    ],
    run: ['wait', 'w1', 'w2'],
    expect: { code: 0, stdout: '3\n0\n', stderr: '' },
  },
  {
    name: 'wait: a missing container fails, the others are still waited for',
    setup: [(c) => void c.docker(['run', '--name', 'w1', 'busybox', 'sh', '-c', 'exit 2'])],
    run: ['wait', 'nope', 'w1'],
    expect: { code: 1, stdout: '2\n', stderr: 'Error response from daemon: No such container: nope\n' },
  },
];

sweep('rename and wait', scenarios);
