// coordination.k8s.io/v1: Lease.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const coordinationPackage: SchemaPackage = {
  name: 'io.k8s.api.coordination.v1',
  types: {
    Lease: kind(
      'coordination.k8s.io',
      'v1',
      'Lease',
      'A lock with a holder and a term (leader election, node heartbeats).',
      {
        spec: f('LeaseSpec', 'The holder and the term.'),
      },
    ),
    LeaseSpec: {
      desc: 'The spec of a lease.',
      fields: {
        holderIdentity: f('string', 'Who holds it.'),
        leaseDurationSeconds: f('int32', 'Seconds a holder must renew within.'),
        acquireTime: f('MicroTime', 'When it was acquired.'),
        renewTime: f('MicroTime', 'When it was last renewed.'),
        leaseTransitions: f('int32', 'How often the holder changed.'),
        strategy: f('string', 'How a new holder is chosen.'),
        preferredHolder: f('string', 'The holder wanted next.'),
      },
    },
  },
};
