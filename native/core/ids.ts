import { createHash, randomBytes } from 'node:crypto';

/** A 64-hex-digit id, as Docker gives containers and exec sessions. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function shortId(id: string): string {
  return stripAlgo(id).slice(0, 12);
}

export function stripAlgo(digest: string): string {
  const i = digest.indexOf(':');
  return i >= 0 ? digest.slice(i + 1) : digest;
}

export function sha256(data: string | Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

const nameRe = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
export function isValidContainerName(name: string): boolean {
  return nameRe.test(name);
}

const adjectives = [
  'agile',
  'bold',
  'brave',
  'calm',
  'clever',
  'eager',
  'fair',
  'gentle',
  'happy',
  'keen',
  'lucid',
  'merry',
  'nimble',
  'proud',
  'quiet',
  'sharp',
  'steady',
  'swift',
  'tidy',
  'vivid',
  'wise',
  'zen',
];
const nouns = [
  'anchor',
  'buoy',
  'cove',
  'dock',
  'ferry',
  'harbor',
  'jetty',
  'keel',
  'mast',
  'pier',
  'quay',
  'rudder',
  'sail',
  'skiff',
  'tide',
  'wharf',
  'yawl',
  'hull',
  'bow',
  'stern',
  'tug',
  'barge',
];

/** A random adjective_noun name, like Docker's generated names. */
export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const a = adjectives[randomBytes(1)[0] % adjectives.length];
    const n = nouns[randomBytes(1)[0] % nouns.length];
    const name = i < 10 ? `${a}_${n}` : `${a}_${n}${i}`;
    if (!taken(name)) return name;
  }
  return `berth_${randomBytes(4).toString('hex')}`;
}
