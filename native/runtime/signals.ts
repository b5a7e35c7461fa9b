import { invalid } from '../core/errors.ts';

/** Linux signal numbers (x86_64/arm64 share these). */
export const signalNumbers: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** `SIGTERM`, `TERM`, `sigterm`, `15`, `RTMIN+3` → number; anything else is Docker's `Invalid signal`. */
export function parseSignal(s: string): number {
  const t = s.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 64) return n;
    throw invalid(`Invalid signal: ${s}`);
  }
  const up = t.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  const n = signalNumbers[name];
  if (n) return n;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    const v = name.startsWith('SIGRTMIN') ? 34 + off : 64 - off;
    if (v >= 34 && v <= 64) return v;
  }
  throw invalid(`Invalid signal: ${s}`);
}
