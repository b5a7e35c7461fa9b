import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage } from './core/errors.ts';
import { writeFileAtomic } from './core/fsutil.ts';
import { createLogger } from './core/log.ts';
import { ShellSpawner } from './core/spawner.ts';
import { hostSys } from './core/sys.ts';
import { FlagError, parseDaemonFlags, parseHost, usage } from './daemon-flags.ts';
import { createDockerApiServer, listenTcp, listenUnix } from './dockerapi/server.ts';
import { hostMemoryMounts } from './orchestrator/kubelet/memory-volumes.ts';
import { releaseMemoryVolumes, resetCluster, stopClusterPods } from './orchestrator/lifecycle.ts';
import { Engine } from './services/engine.ts';
import { daemonTag } from './services/networks/service.ts';
import { berthVersion } from './services/system/info.ts';

async function claimPidfile(file: string): Promise<void> {
  const old = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
  if (old > 0 && old !== process.pid && hostSys.alive(old)) {
    const cmdline = await fs.readFile(`/proc/${old}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('berthd')) {
      throw new Error(`pid file found, ensure berthd is not running or delete ${file}`);
    }
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.writeFile(file, String(process.pid), { mode: 0o644 });
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseDaemonFlags>;
  try {
    flags = parseDaemonFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\nSee 'berthd --help'.\n`);
      process.exit(125);
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(usage);
    return;
  }
  if (flags.version) {
    process.stdout.write(`Berth engine version ${berthVersion}\n`);
    return;
  }
  const log = createLogger(flags.logLevel);
  if (flags.kubeconfigMerge && !flags.kubernetes) {
    // Merge from the admin kubeconfig a running (or earlier) berthd wrote, then exit.
    const { mergeFromAdmin } = await import('./orchestrator/apiserver/main.ts');
    process.stdout.write(
      await mergeFromAdmin(flags.dataRoot, flags.kubeconfigMerge, flags.kubeconfigUseContext),
    );
    return;
  }
  // The registry client reads its configuration from the environment; flags add to it.
  if (flags.insecureRegistries.length) {
    process.env.BERTH_INSECURE_REGISTRIES = [
      process.env.BERTH_INSECURE_REGISTRIES,
      ...flags.insecureRegistries,
    ]
      .filter(Boolean)
      .join(',');
  }
  if (flags.registryMirrors.length) {
    process.env.BERTH_REGISTRY_MIRRORS = [process.env.BERTH_REGISTRY_MIRRORS, ...flags.registryMirrors]
      .filter(Boolean)
      .join(',');
  }
  if (process.getuid?.() !== 0) {
    log.error('berthd needs to be started with root privileges');
    process.exit(1);
  }
  await fs.mkdir(flags.execRoot, { recursive: true, mode: 0o700 });
  await claimPidfile(flags.pidfile!);
  // A ready file of an earlier run says nothing about this one; its folder is made now, as the
  // pidfile's is, so that a path that cannot be written fails here and not once the API listens.
  if (flags.readyFile) {
    try {
      await fs.mkdir(path.dirname(flags.readyFile), { recursive: true });
      await fs.rm(flags.readyFile, { force: true });
    } catch (err) {
      throw new Error(`--ready-file ${flags.readyFile}: ${errorMessage(err)}`);
    }
  }
  // Short commands (mount, ip, runc…) start from a small shell rather than by forking berthd itself.
  const sys = new ShellSpawner(path.join(flags.execRoot, 'spawn'));
  const engine = new Engine({
    dataRoot: flags.dataRoot,
    execRoot: flags.execRoot,
    runtime: flags.runtime,
    network: { bridge: flags.bridge, bip: flags.bip, iptables: flags.iptables, dns: flags.dns },
    sys,
    log,
  });
  await engine.init();
  const clusterDir = path.join(flags.dataRoot, 'kubernetes');
  const mounts = hostMemoryMounts(sys);
  // A cluster that is off keeps no pod's memory volume (before the API answers, so none is left to a
  // client that removes the pods' containers and stops berthd at once).
  if (!flags.kubernetes) await releaseMemoryVolumes(clusterDir, mounts, log);
  const listens = flags.hosts.map(parseHost);
  const sockets = listens.flatMap((l) => (l.kind === 'unix' ? [l.path] : []));
  const servers: ReturnType<typeof createDockerApiServer>[] = [];
  for (const l of listens) {
    const s = createDockerApiServer(engine, log);
    if (l.kind === 'unix') await listenUnix(s, l.path);
    else await listenTcp(s, l.host, l.port);
    servers.push(s);
  }
  log.info('API listen on ' + flags.hosts.map((h) => h.replace(/^unix:\/\//, '')).join(', '), {
    runtime: engine.runtime.name,
    root: flags.dataRoot,
  });
  if (flags.readyFile) {
    await writeFileAtomic(flags.readyFile, `${flags.hosts.join('\n')}\n`, 0o644, false);
  }
  // The cluster's life: reset wipes it; off (no --kubernetes) stops its pods and keeps its state.
  if (flags.kubeReset) await resetCluster(engine.containerOps, clusterDir, log, mounts);
  // Stopping gives each container its grace period: done in the background, not before berthd answers.
  if (!flags.kubernetes)
    void stopClusterPods(engine.containerOps, log).catch((err) =>
      log.warn('cannot stop the pods of the cluster that is off', { error: errorMessage(err) }),
    );
  // The orchestrator loads only when enabled: berthd's idle memory stays the engine's alone otherwise.
  let kubernetes: { close(): Promise<void> } | undefined;
  if (flags.kubernetes) {
    const { startKubernetes, userKubeconfigPath } = await import('./orchestrator/apiserver/main.ts');
    kubernetes = await startKubernetes({
      dataRoot: flags.dataRoot,
      port: flags.kubeApiPort,
      storeConfig: { kind: flags.kubeStore, etcdEndpoint: flags.kubeEtcdEndpoint },
      log,
      sys,
      engine: {
        containers: engine.containerOps,
        images: engine.imageOps,
        volumes: engine.volumeOps,
        version: berthVersion,
      },
      // Named per daemon like its bridges, so that test daemons never share one.
      serviceInterface: flags.execRoot === '/run/berth' ? 'berth-svc' : `bks${daemonTag(flags.execRoot)}`,
      mergeKubeconfig: flags.kubeconfigMerge
        ? {
            file: flags.kubeconfigMerge === true ? userKubeconfigPath() : flags.kubeconfigMerge,
            useContext: flags.kubeconfigUseContext,
          }
        : undefined,
    });
  }
  log.info('Daemon has completed initialization');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Processing signal '${signal}'`);
    engine.shutdown();
    await kubernetes?.close();
    for (const s of servers) {
      s.close();
      s.closeAllConnections();
    }
    await Promise.all(sockets.map((s) => fs.rm(s, { force: true })));
    await fs.rm(flags.pidfile!, { force: true });
    if (flags.readyFile) await fs.rm(flags.readyFile, { force: true });
    // Containers stay up under their conmon: live restore picks them up at the next start.
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('terminated'));
  process.on('SIGINT', () => void stop('interrupt'));
}

main().catch((err) => {
  process.stderr.write(`berthd: ${errorMessage(err)}\n`);
  process.exit(1);
});
