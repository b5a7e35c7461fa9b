import type { Engine } from '../../services/engine.ts';
import type { Router } from '../router.ts';

/** POST /build (the classic builder) and POST /commit. */
export function buildRoutes(_router: Router, _engine: Engine): void {}
