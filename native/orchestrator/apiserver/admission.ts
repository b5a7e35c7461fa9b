// Admission: checks (and, later, mutations) every create, update and delete passes after validation
// and before it is stored. Plugins throw an ApiError to refuse. NamespaceLifecycle is the first;
// service-account, limit-range and the like slot in beside it.
import type { Store } from '../store/store.ts';
import type { UserInfo } from './authn.ts';
import { type KubeObject, type Operation, type ResourceDef, storeKey } from './registry.ts';
import { forbidden, notFound } from './status.ts';

export interface AdmissionRequest {
  operation: Operation;
  def: ResourceDef;
  namespace?: string;
  name: string;
  subresource?: string;
  /** The object as it will be stored (CREATE, UPDATE); plugins may change it. */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user: UserInfo;
}

export interface AdmissionPlugin {
  name: string;
  admit(req: AdmissionRequest): Promise<void>;
}

/** Namespaces that always exist and may not be deleted. */
export const immortalNamespaces = ['default', 'kube-system', 'kube-public'];

/** No new content in a namespace that does not exist or is going away; the system ones stay. */
export function namespaceLifecycle(store: Store, namespaceDef: ResourceDef): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async admit(req) {
      const q = { group: req.def.group, resource: req.def.plural };
      if (req.operation === 'DELETE' && req.def === namespaceDef && immortalNamespaces.includes(req.name))
        throw forbidden(q, req.name, 'this namespace may not be deleted');
      if (req.operation !== 'CREATE' || !req.def.namespaced || !req.namespace) return;
      const ns = await store.get(storeKey(namespaceDef, undefined, req.namespace));
      if (!ns) throw notFound({ group: '', resource: 'namespaces' }, req.namespace);
      const meta = (ns.value as KubeObject).metadata;
      if (meta?.deletionTimestamp)
        throw forbidden(
          q,
          req.name,
          `unable to create new content in namespace ${req.namespace} because it is being terminated`,
        );
    },
  };
}

/** The newest class annotated as the default (`<annotation>: "true"`), as the default-class plugins pick it. */
async function newestDefault(
  store: Store,
  classDef: ResourceDef,
  annotation: string,
): Promise<string | undefined> {
  const defaults = (await store.list(storeKey(classDef, undefined))).items
    .map((s) => s.value as KubeObject)
    .filter((c) => c.metadata?.annotations?.[annotation] === 'true')
    .sort((a, b) =>
      String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)),
    );
  return defaults[0]?.metadata?.name;
}

export async function admit(plugins: AdmissionPlugin[], req: AdmissionRequest): Promise<void> {
  for (const p of plugins) await p.admit(req);
}

/**
 * DefaultStorageClass: a claim that names no storage class (the field absent, not "") gets the class
 * annotated as the default, as the admission plugin of the same name does.
 */
export function defaultStorageClass(
  store: Store,
  claimDef: ResourceDef,
  classDef: ResourceDef,
): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.def !== claimDef || !req.object) return;
      req.object.spec ??= {};
      const spec = req.object.spec;
      if (spec.storageClassName !== undefined) return;
      const name = await newestDefault(store, classDef, 'storageclass.kubernetes.io/is-default-class');
      if (name) spec.storageClassName = name;
    },
  };
}

/**
 * Priority: a new pod gets the value and preemption policy of the PriorityClass it names (of the
 * global default, or 0, when it names none), as the admission plugin of that name does; a class that
 * does not exist, or a value written in the pod that differs from its class's, is refused. At most
 * one class may be the global default.
 */
export function priorityAdmission(store: Store, podDef: ResourceDef, classDef: ResourceDef): AdmissionPlugin {
  const classes = async () =>
    (await store.list(storeKey(classDef, undefined))).items.map((s) => s.value as KubeObject);
  return {
    name: 'Priority',
    async admit(req) {
      const q = { group: req.def.group, resource: req.def.plural };
      if (req.def === classDef && req.object?.globalDefault === true && req.operation !== 'DELETE') {
        const other = (await classes()).find(
          (c) => c.globalDefault === true && c.metadata?.name !== req.object?.metadata?.name,
        );
        if (other)
          throw forbidden(
            q,
            req.name,
            `PriorityClass ${other.metadata?.name} is already marked as default. Only one default can exist`,
          );
        return;
      }
      if (req.def !== podDef || req.operation !== 'CREATE' || req.subresource || !req.object) return;
      req.object.spec ??= {};
      const spec = req.object.spec as Record<string, unknown>;
      const name = spec.priorityClassName;
      let value = 0;
      let policy = 'PreemptLowerPriority';
      if (name) {
        const found = (await classes()).find((c) => c.metadata?.name === name);
        if (!found) throw forbidden(q, req.name, `no PriorityClass with name ${name} was found`);
        value = Number(found.value ?? 0);
        policy = String(found.preemptionPolicy ?? policy);
      } else {
        const dflt = (await classes()).find((c) => c.globalDefault === true);
        if (dflt) {
          spec.priorityClassName = dflt.metadata?.name;
          value = Number(dflt.value ?? 0);
          policy = String(dflt.preemptionPolicy ?? policy);
        }
      }
      if (spec.priority !== undefined && spec.priority !== null && Number(spec.priority) !== value)
        throw forbidden(
          q,
          req.name,
          `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
        );
      if (
        spec.preemptionPolicy !== undefined &&
        spec.preemptionPolicy !== null &&
        spec.preemptionPolicy !== policy
      )
        throw forbidden(
          q,
          req.name,
          `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
        );
      spec.priority = value;
      spec.preemptionPolicy = policy;
    },
  };
}

/** DefaultIngressClass: an Ingress that names no class gets the class annotated as the default. */
export function defaultIngressClass(
  store: Store,
  ingressDef: ResourceDef,
  classDef: ResourceDef,
): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.def !== ingressDef || !req.object) return;
      req.object.spec ??= {};
      const spec = req.object.spec as Record<string, unknown>;
      if (spec.ingressClassName !== undefined) return;
      if (req.object.metadata?.annotations?.['kubernetes.io/ingress.class'] !== undefined) return;
      const name = await newestDefault(store, classDef, 'ingressclass.kubernetes.io/is-default-class');
      if (name) spec.ingressClassName = name;
    },
  };
}
