// An ed25519 key pair for SSH that ssh2 itself can read back. ssh2's generateKeyPairSync writes, for
// about one key in three hundred, an OpenSSH private key its own parser refuses ("Malformed OpenSSH
// private key"): such a machine could never be reached. A pair is made again until it parses.
import ssh2 from 'ssh2';

export interface SshKeyPair {
  private: string;
  public: string;
}

/** Whether ssh2 can read this private key. */
export const readableKey = (privateKey: string): boolean =>
  !(ssh2.utils.parseKey(privateKey) instanceof Error);

export function sshKeyPair(comment?: string): SshKeyPair {
  for (let i = 0; i < 50; i++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment ? { comment } : {});
    if (readableKey(pair.private)) return pair;
  }
  throw new Error('could not make an SSH key that ssh2 reads back');
}
