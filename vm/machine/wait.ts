// Every wait of a machine is bounded: a promise raced against a timer on the Clock.
import type { Clock } from './clock.ts';

export const timedOut: unique symbol = Symbol('timed out');

/** `promise`'s value, or `timedOut` once `ms` have passed on `clock` first. */
export function within<T>(clock: Clock, ms: number, promise: Promise<T>): Promise<T | typeof timedOut> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve(timedOut), ms);
    promise.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (err) => {
        timer.cancel();
        reject(err);
      },
    );
  });
}

/** `exited after code 1` / `was killed by SIGKILL`, for messages. */
export function describeExit(st: { code: number | null; signal: string | null }): string {
  if (st.signal) return `was killed by ${st.signal}`;
  return `exited with code ${st.code ?? 'unknown'}`;
}
