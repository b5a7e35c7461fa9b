// .dockerignore as dockerd 20.10 reads it (buildkit's dockerignore.ReadAll) and matches it (moby's
// fileutils.PatternMatcher). The CLI applies it to what it sends; the daemon applies it once more, to
// drop the Dockerfile and .dockerignore from the context when they are listed.

/** Go's path.Clean. */
function goClean(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

/** The patterns of a .dockerignore: comments and blank lines dropped, paths cleaned, `/` prefix removed. */
export function readDockerignore(text: string): string[] {
  const out: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line) => {
      if (line.startsWith('#')) return;
      let pattern = line.trim();
      if (!pattern) return;
      const invert = pattern.startsWith('!');
      if (invert) pattern = pattern.slice(1).trim();
      if (pattern) {
        pattern = goClean(pattern);
        if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
      }
      out.push(invert ? `!${pattern}` : pattern);
    });
  return out;
}

interface Pattern {
  re: RegExp;
  dirs: number;
  exclusion: boolean;
}

function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '.' || c === '$') re += `\\${c}`;
    else if (c === '\\') re += i + 1 < pattern.length ? `\\${pattern[++i]}` : '\\\\';
    else re += c;
  }
  return new RegExp(`${re}$`);
}

function patterns(list: string[]): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of list) {
    let p = raw.trim();
    if (!p) continue;
    p = goClean(p);
    const exclusion = p.startsWith('!');
    if (exclusion) p = p.slice(1);
    try {
      out.push({ re: compile(p), dirs: p.split('/').length, exclusion });
    } catch {
      // A pattern Go's regexp would refuse matches nothing here.
    }
  }
  return out;
}

/** fileutils.Matches: the last pattern that matches the file (or one of its parent dirs) decides. */
export function ignored(file: string, list: string[]): boolean {
  const f = goClean(file);
  if (f === '.') return false;
  const parent = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '.';
  const parentDirs = parent.split('/');
  let matched = false;
  for (const p of patterns(list)) {
    let match = p.re.test(f);
    if (!match && parent !== '.' && p.dirs <= parentDirs.length)
      match = p.re.test(parentDirs.slice(0, p.dirs).join('/'));
    if (match) matched = !p.exclusion;
  }
  return matched;
}
