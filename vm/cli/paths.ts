// Where the `berth` command and its agent keep their files: `~/.berth` (or $BERTH_HOME) holds the
// machines, `run/` the sockets (directory 0700, sockets 0600) and `logs/` what the agent wrote.
import os from 'node:os';
import path from 'node:path';

export interface CliPaths {
  home: string;
  runDir: string;
  /** The agent's control socket: the CLI and the app ask it for status, stop, events. */
  agentSocket: string;
  agentLog: string;
  /** The host's Docker socket the agent forwards to the guest's engine. */
  dockerSocket: string;
}

export function cliPaths(env: NodeJS.ProcessEnv = process.env, homedir = os.homedir()): CliPaths {
  const home = env.BERTH_HOME ? path.resolve(env.BERTH_HOME) : path.join(homedir, '.berth');
  const runDir = path.join(home, 'run');
  return {
    home,
    runDir,
    agentSocket: path.join(runDir, 'agent.sock'),
    agentLog: path.join(home, 'logs', 'agent.log'),
    dockerSocket: path.join(runDir, 'docker.sock'),
  };
}
