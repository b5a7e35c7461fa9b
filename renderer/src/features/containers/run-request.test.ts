import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseEnvField,
  parseEnvLines,
  parsePortRows,
  parseVolumeRows,
  rowForExposed,
  splitCommand,
} from './run-request.ts';

test('splitCommand keeps quoted arguments whole', () => {
  assert.deepEqual(splitCommand(`sh -c 'echo a; echo "b c"'`), ['sh', '-c', 'echo a; echo "b c"']);
  assert.deepEqual(splitCommand(`echo "x \\" y" z`), ['echo', 'x " y', 'z']);
  assert.deepEqual(splitCommand('  sleep   300 '), ['sleep', '300']);
  assert.deepEqual(splitCommand(''), []);
});

test('an env file as `docker run --env-file` reads it: comments and blanks skipped, values kept as written', () => {
  const file = [
    '\uFEFF# the database',
    'DB_HOST=db.local',
    '',
    '   # indented comment',
    '  PADDED=yes',
    'QUOTED="kept with quotes"',
    'SPACES=  a b  ',
    'EMPTY=',
    'URL=postgres://u:p@h/db?x=1',
    'FROM_HOST',
    '\r',
  ].join('\r\n');
  assert.deepEqual(parseEnvLines(file, 'app.env'), {
    env: [
      'DB_HOST=db.local',
      'PADDED=yes',
      'QUOTED="kept with quotes"',
      'SPACES=  a b  ',
      'EMPTY=',
      'URL=postgres://u:p@h/db?x=1',
    ],
    bare: ['FROM_HOST'],
  });
  assert.throws(() => parseEnvLines('OK=1\nBAD NAME=2', 'app.env'), {
    message: "line 2 of app.env: variable 'BAD NAME' contains whitespaces",
  });
  assert.throws(() => parseEnvLines('=value', 'app.env'), /line 1 of app.env: no variable name/);
});

test('the environment field reads the same way, but a bare name is a mistake there', () => {
  assert.deepEqual(parseEnvField('A=1\n# note\n\nB=two words'), ['A=1', 'B=two words']);
  assert.throws(() => parseEnvField('A=1\nNOVALUE'), /invalid environment entry "NOVALUE": use KEY=value/);
});

test('port rows: one container port on two host ports is two mappings; empty rows are ignored', () => {
  assert.deepEqual(
    parsePortRows([
      { host: '8080', container: '80', protocol: 'tcp' },
      { host: ' 8081 ', container: '80', protocol: 'tcp' },
      { host: '', container: '', protocol: 'tcp' },
      { host: '', container: '53', protocol: 'udp' },
    ]),
    [
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 8081, containerPort: 80, protocol: 'tcp' },
      { containerPort: 53, protocol: 'udp' },
    ],
  );
  assert.deepEqual(parsePortRows([]), []);
});

test('port rows: the same mapping twice, a missing or bad number, each said in words', () => {
  const row = (host: string, container: string, protocol: 'tcp' | 'udp' = 'tcp') => ({
    host,
    container,
    protocol,
  });
  assert.throws(() => parsePortRows([row('8080', '80'), row('8080', '80')]), {
    message: 'the port mapping 8080:80/tcp is listed twice',
  });
  assert.deepEqual(parsePortRows([row('8080', '80', 'tcp'), row('8080', '80', 'udp')]).length, 2);
  assert.throws(() => parsePortRows([row('8080', '')]), {
    message: 'port row 1: the container port is missing',
  });
  assert.throws(
    () => parsePortRows([row('', '80'), row('70000', '80')]),
    /port row 2: invalid host port "70000"/,
  );
  assert.throws(() => parsePortRows([row('x', '80')]), /invalid host port "x"/);
});

test("the image's exposed ports become rows on a random host port", () => {
  assert.deepEqual(rowForExposed('80/tcp'), { host: '', container: '80', protocol: 'tcp' });
  assert.deepEqual(rowForExposed('53/udp'), { host: '', container: '53', protocol: 'udp' });
});

test('volume rows: an existing or new volume by name, or an absolute host path; read-only kept', () => {
  assert.deepEqual(
    parseVolumeRows([
      { kind: 'volume', source: 'data', target: '/data', readOnly: false },
      { kind: 'new', source: ' fresh ', target: '/fresh', readOnly: true },
      { kind: 'host', source: '/srv/site', target: '/usr/share/html', readOnly: true },
      { kind: 'new', source: '', target: '', readOnly: false },
    ]),
    [
      { source: 'data', target: '/data' },
      { source: 'fresh', target: '/fresh', readOnly: true },
      { source: '/srv/site', target: '/usr/share/html', readOnly: true },
    ],
  );
  const one = (kind: 'volume' | 'new' | 'host', source: string, target: string) => [
    { kind, source, target, readOnly: false },
  ];
  assert.throws(
    () => parseVolumeRows(one('host', 'relative', '/x')),
    /host path "relative" must be absolute/,
  );
  assert.throws(() => parseVolumeRows(one('new', 'a b', '/x')), /invalid volume name "a b"/);
  assert.throws(() => parseVolumeRows(one('new', '', '/x')), /the volume name is missing/);
  assert.throws(() => parseVolumeRows(one('volume', 'data', 'relative')), /container path "relative"/);
});
