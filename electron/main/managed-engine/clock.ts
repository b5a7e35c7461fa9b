// Time as a seam (the pattern of native/core/clock.ts, which main does not import): the managed
// engine's restart back-off reads it, so unit tests drive it with a ManualClock instead of sleeping.
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
