import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatAge,
  formatAgo,
  formatMode,
  formatShortTime,
  formatTime,
  humanDuration,
  portLinks,
} from './format.ts';

test('portLinks: one entry per port, published TCP ports link to localhost, the rest do not', () => {
  const links = portLinks([
    { privatePort: 53, type: 'udp', publicPort: 5353, ip: '0.0.0.0' },
    { privatePort: 443, type: 'tcp' },
    { privatePort: 80, type: 'tcp', publicPort: 8080, ip: '0.0.0.0' },
    { privatePort: 80, type: 'tcp', publicPort: 8080, ip: '::' },
    { privatePort: 81, type: 'tcp', publicPort: 9090, ip: '192.168.1.5' },
  ]);
  assert.deepEqual(links, [
    { label: '8080→80/tcp', privatePort: 80, type: 'tcp', url: 'http://localhost:8080' },
    { label: '9090→81/tcp', privatePort: 81, type: 'tcp', url: 'http://192.168.1.5:9090' },
    { label: '5353→53/udp', privatePort: 53, type: 'udp' },
    { label: '443/tcp', privatePort: 443, type: 'tcp' },
  ]);
  assert.deepEqual(portLinks([]), []);
});

test('formatMode writes modes as ls -l does', () => {
  assert.equal(formatMode('dir', 0o755), 'drwxr-xr-x');
  assert.equal(formatMode('file', 0o644), '-rw-r--r--');
  assert.equal(formatMode('symlink', 0o777), 'lrwxrwxrwx');
  assert.equal(formatMode('file', 0o4755), '-rwsr-xr-x');
  assert.equal(formatMode('dir', 0o1777), 'drwxrwxrwt');
  assert.equal(formatMode('file', 0o2640), '-rw-r-S---');
  assert.equal(formatMode('other', 0), '?---------');
});

test('humanDuration: the words of `docker ps`', () => {
  const s = 1000;
  const h = 3600 * s;
  assert.equal(humanDuration(400), 'Less than a second');
  assert.equal(humanDuration(1 * s), '1 second');
  assert.equal(humanDuration(42 * s), '42 seconds');
  assert.equal(humanDuration(90 * s), 'About a minute');
  assert.equal(humanDuration(12 * 60 * s), '12 minutes');
  assert.equal(humanDuration(70 * 60 * s), 'About an hour');
  assert.equal(humanDuration(5 * h), '5 hours');
  assert.equal(humanDuration(72 * h), '3 days');
  assert.equal(humanDuration(21 * 24 * h), '3 weeks');
  assert.equal(humanDuration(90 * 24 * h), '3 months');
  assert.equal(humanDuration(3 * 365 * 24 * h), '3 years');
});

test("formatAgo speaks as `docker images`' CREATED column", () => {
  const now = 1_700_000_000_000;
  const ago = (seconds: number) => formatAgo(now / 1000 - seconds, now);
  assert.equal(ago(0), 'Less than a second ago');
  assert.equal(ago(1), '1 second ago');
  assert.equal(ago(59), '59 seconds ago');
  assert.equal(ago(60), 'About a minute ago');
  assert.equal(ago(150), '2 minutes ago');
  assert.equal(ago(3599), '59 minutes ago');
  assert.equal(ago(3600), 'About an hour ago');
  assert.equal(ago(5 * 3600), '5 hours ago');
  assert.equal(ago(3 * 86400), '3 days ago');
  assert.equal(ago(20 * 86400), '2 weeks ago');
  assert.equal(ago(100 * 86400), '3 months ago');
  assert.equal(ago(3 * 365 * 86400), '3 years ago');
});

test('formatAge: how long ago an RFC 3339 time was, in the words of formatAgo', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  assert.equal(formatAge('2026-03-10T11:59:30Z', now), '30 seconds ago');
  assert.equal(formatAge('2026-03-10T11:15:00Z', now), '45 minutes ago');
  assert.equal(formatAge('2026-03-10T02:00:00Z', now), '10 hours ago');
  assert.equal(formatAge('2026-03-09T12:00:00Z', now), '24 hours ago');
  assert.equal(formatAge('2026-01-09T12:00:00Z', now), '2 months ago');
  assert.equal(formatAge(undefined, now), '—');
});

test('formatShortTime: date and minute, local', () => {
  const d = new Date(2026, 2, 4, 5, 6, 7);
  assert.equal(formatShortTime(d.toISOString()), '2026-03-04 05:06');
  assert.equal(formatShortTime(''), '—');
});

test('a time reads as toLocaleString writes it (from one formatter made once), an empty or bad one as itself', () => {
  for (const iso of ['2026-12-04T16:45:11Z', '1999-01-31T00:00:00.5Z']) {
    assert.equal(formatTime(iso), new Date(iso).toLocaleString());
  }
  assert.equal(
    formatTime(1_700_000_000),
    new Date(1_700_000_000_000).toLocaleString(),
    'seconds since the epoch',
  );
  assert.equal(formatTime(undefined), '—');
  assert.equal(formatTime(''), '—');
  assert.equal(formatTime('soon'), 'soon');
});
