// kube-controller-manager's clusterrole-aggregation controller: a ClusterRole with an aggregationRule
// holds the rules of every other ClusterRole its selectors match. That is how view, edit and admin
// grow when a chart adds a `rbac.authorization.k8s.io/aggregate-to-view: "true"` role for its own
// kinds, and how a user's own aggregated roles work. Event-driven: any ClusterRole change queues the
// aggregated roles (few, so each is recomputed whole rather than matched against the change).
import { aggregatedRules } from '../apiserver/authz/aggregation.ts';
import { Kinds } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/queue.ts';
import type { ClusterPart, PartEnv } from '../parts.ts';
import { isConflict, isNotFound } from './common.ts';

export class ClusterRoleAggregationController implements ClusterPart {
  readonly name = 'clusterrole-aggregation';
  private env!: PartEnv;
  private roles!: Informer;
  private queue!: WorkQueue;

  start(env: PartEnv): void {
    this.env = env;
    this.roles = env.informers.for(Kinds.ClusterRole);
    this.queue = new WorkQueue(this.name, (name) => this.sync(name), {
      clock: env.clock,
      log: env.log,
      baseDelayMs: 100,
    });
    const queueAggregated = () => {
      for (const role of this.roles.list())
        if (role.aggregationRule) this.queue.add(String(role.metadata?.name));
    };
    this.roles.on({ add: queueAggregated, update: queueAggregated, delete: queueAggregated });
  }

  stop(): void {
    this.queue?.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(name: string): Promise<void> {
    const role = this.roles.get(undefined, name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list());
    if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) return;
    try {
      await this.env.client.update(Kinds.ClusterRole, { ...role, rules });
    } catch (err) {
      // Gone meanwhile: nothing to hold. Changed meanwhile: the informer's update queues it again.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
