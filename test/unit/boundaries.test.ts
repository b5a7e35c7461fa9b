// The layering of the code base, as forbidden import edges. A rule is one line: files matching `from`
// must not import files matching `to` (repository paths; a bare name is a package), and `message` says
// where the thing belongs instead. Globs: `**` any folders, `*` part of a name, `{a,b}` either.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeViolation, type ImportRule, treeEdges, violations } from './imports.ts';

const rules: readonly ImportRule[] = [
  {
    from: 'renderer/src/ui/**',
    to: 'renderer/src/features/**',
    message: 'ui holds the shared pieces features are built from: move what both need into ui or store',
  },
  {
    from: 'native/services/**',
    to: 'native/dockerapi/**',
    message:
      'services know no transport: take typed arguments, return values, async iterables or tagged chunks (services/stdio.ts); HTTP and framing live in dockerapi',
  },
  {
    from: 'native/services/**',
    to: 'native/{builder,orchestrator}/**',
    message:
      'services sit under the front ends (dockerapi, builder, orchestrator): declare the interface in services and let the wiring hand in the implementation',
  },
  {
    from: 'native/dockerapi/routes/**',
    to: 'native/{runtime,storage,registry,network,builder}/**',
    message: 'routes parse, call one service and encode: engine work belongs in native/services',
  },
  {
    from: 'native/builder/**',
    to: 'native/services/{context,engine,*/{create,start,lifecycle,remove,log-file,commit,layer-file,service,store,engine-operations,engine-images}}.ts',
    except: 'native/builder/*.test.ts',
    message:
      'the builder calls the engine through services/containers/operations.ts and services/images/operations.ts only (its Backend)',
  },
  {
    from: 'native/builder/**',
    to: 'native/{runtime/user,storage/{image-store,container-rootfs,layer-store}}.ts',
    except: 'native/builder/*.test.ts',
    message:
      'image files, rootfs mounts and users are the image side of the backend (services/images/operations.ts)',
  },
  {
    from: 'native/orchestrator/**',
    to: 'native/{services,runtime,storage,network}/**',
    // The DNS wire server is a protocol library (no engine state): the cluster DNS serves through it.
    allow:
      'native/{services/{containers/operations,images/operations,volumes/operations,stdio},network/dns}.ts',
    except: 'native/orchestrator/**/*.test.ts',
    message:
      'the orchestrator (the kubelet as a CRI client) reaches the engine through services/containers/operations.ts and services/images/operations.ts only, handed to it in PartEnv.engine',
  },
];

/** The folders whose files the rules look at. */
const scanned = ['native', 'electron', 'renderer/src', 'vm', 'build', 'test'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('no file imports across a forbidden edge', () => {
  const edges = treeEdges(root, scanned);
  // A scan that finds nothing proves nothing: the tree has imports, and the rules' folders have files.
  assert.ok(edges.length > 1000, `only ${edges.length} imports found`);
  for (const rule of rules) {
    const from = new RegExp(`^${rule.from.split('*')[0]}`);
    assert.ok(
      edges.some((e) => from.test(e.from)),
      `no file under ${rule.from}: fix the rule`,
    );
  }
  const found = violations(edges, rules);
  assert.deepEqual(found.map(describeViolation), []);
});
