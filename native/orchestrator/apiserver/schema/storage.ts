// storage.k8s.io/v1: StorageClass.
import { f, kind, type SchemaPackage } from './dsl.ts';

export const storagePackage: SchemaPackage = {
  name: 'io.k8s.api.storage.v1',
  types: {
    StorageClass: kind('storage.k8s.io', 'v1', 'StorageClass', 'A kind of storage that claims can ask for.', {
      provisioner: f('string', 'What makes the volumes.', { required: true }),
      parameters: f('{}string', 'Settings for the provisioner.'),
      reclaimPolicy: f('string', 'Delete or Retain.'),
      mountOptions: f('[]string', 'Mount options of its volumes.', { atomic: true }),
      allowVolumeExpansion: f('boolean', 'Whether claims may grow.'),
      volumeBindingMode: f('string', 'Immediate or WaitForFirstConsumer.'),
      allowedTopologies: f('[]object', 'Where volumes may be made.', { atomic: true }),
    }),
  },
};
