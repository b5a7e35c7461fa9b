import { useEffect, useRef } from 'react';

/** Calls fn now and every `ms` while the component is shown; `tick` counts the calls from 0. */
export function usePolling(fn: (tick: number) => unknown, ms: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let tick = 0;
    void latest.current(tick);
    const timer = setInterval(() => void latest.current(++tick), ms);
    return () => clearInterval(timer);
  }, [ms]);
}
