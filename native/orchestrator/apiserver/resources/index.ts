// Every kind the API server serves, in discovery order.
import { reviewDefs } from '../authz/reviews.ts';
import { Registry } from '../registry.ts';
import { apiextensionsDefs } from './apiextensions.ts';
import { appsDefs } from './apps.ts';
import { autoscalingDefs } from './autoscaling.ts';
import { batchDefs } from './batch.ts';
import { coreDefs } from './core.ts';
import { eventDef, eventsV1Def } from './events.ts';
import { miscDefs } from './misc.ts';
import { networkingDefs } from './networking.ts';
import { podDef } from './pod.ts';
import { policyDefs } from './policy.ts';
import { rbacDefs } from './rbac.ts';
import { priorityClassDef } from './scheduling.ts';

export function defaultRegistry(): Registry {
  return new Registry().add(
    ...coreDefs,
    podDef,
    eventDef,
    ...appsDefs,
    ...batchDefs,
    ...autoscalingDefs,
    ...miscDefs,
    eventsV1Def,
    ...networkingDefs,
    ...rbacDefs,
    priorityClassDef,
    ...policyDefs,
    ...reviewDefs,
    ...apiextensionsDefs,
  );
}
