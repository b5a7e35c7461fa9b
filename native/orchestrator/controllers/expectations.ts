// Expectations, as kube-controller-manager keeps them: after a controller creates or deletes pods it
// expects to see those changes in its informer before it counts pods again; until then a sync would
// see the old count and make or remove pods twice. Creations are a count (the names are the server's);
// deletions are the keys of the pods asked to go, so seeing a deletion twice (marked, then gone)
// counts once. Expectations older than the TTL are taken as met, so a lost event cannot stall a
// controller for ever.
import type { Clock } from '../../core/clock.ts';

interface Expected {
  adds: number;
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expected>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.byKey.set(key, { adds: n, deletes: new Set(), at: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.byKey.set(key, { adds: 0, deletes: new Set(podKeys), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.byKey.get(key)?.deletes.delete(podKey);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
