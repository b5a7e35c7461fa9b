import { engineUp } from '../../store/engine.ts';
import { useStore } from '../../store/index.ts';

/**
 * The engine stopped answering: what the screen shows is the last list, to be greyed, and nothing in
 * it can be acted on until the engine is back.
 */
export function useEngineStale(): boolean {
  return useStore((s) => (s.engineLoaded && !engineUp(s)) || s.containersError?.kind === 'unreachable');
}
