// The cluster's certificates: a CA, the API server's serving certificate and the admin's client
// certificate, made at first start (ECDSA P-256 through WebCrypto) and kept in
// <data-root>/kubernetes/. Certificates near their end are made again from the same CA.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { writeFileAtomic } from '../../core/fsutil.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const day = 24 * 3600 * 1000;

export interface ClusterCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
}

export const certFiles = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const;

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0], alg, true, ['sign']);
}

const read = (file: string) => fs.readFile(file, 'utf8').catch(() => undefined);

/** Valid for at least another 30 days. */
function fresh(pem: string | undefined, now: number): boolean {
  if (!pem) return false;
  try {
    return new x509.X509Certificate(pem).notAfter.getTime() - now > 30 * day;
  } catch {
    return false;
  }
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

async function makeCA(now: number): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=berth-ca',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * day),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function makeLeaf(
  ca: { cert: x509.X509Certificate; key: CryptoKey },
  subject: string,
  usage: 'server' | 'client',
  now: number,
  serverIPs: string[] = [],
): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension([
      usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  if (usage === 'server') {
    const dns = [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'berth',
      os.hostname(),
    ];
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...[...new Set(dns)].map((value) => ({ type: 'dns' as const, value })),
        ...[...new Set(['127.0.0.1', '::1', '10.96.0.1', ...serverIPs])].map((value) => ({
          type: 'ip' as const,
          value,
        })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * day),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** Whether a certificate names every one of these IP addresses among its SANs. */
function namesIPs(pem: string, ips: string[]): boolean {
  if (!ips.length) return true;
  try {
    const san = new x509.X509Certificate(pem).getExtension(x509.SubjectAlternativeNameExtension);
    const have = new Set(san?.names.items.filter((n) => n.type === 'ip').map((n) => n.value) ?? []);
    return ips.every((ip) => have.has(ip));
  } catch {
    return false;
  }
}

/**
 * Reads the certificates in `dir`, making whatever is missing or about to expire. The serving
 * certificate also names `serverIPs` (the `kubernetes` Service's ClusterIP, which pods reach the API
 * at); one that does not is made again.
 */
export async function ensureCerts(
  dir: string,
  now = Date.now(),
  serverIPs: string[] = [],
): Promise<ClusterCerts> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (k: keyof typeof certFiles) => path.join(dir, certFiles[k]);
  let caPem = await read(file('caCert'));
  let caKeyPem = await read(file('caKey'));
  let caRenewed = false;
  if (!fresh(caPem, now) || !caKeyPem) {
    const ca = await makeCA(now);
    caPem = ca.cert.toString('pem');
    caKeyPem = await exportKey(ca.keys.privateKey);
    await writeFileAtomic(file('caKey'), caKeyPem, 0o600);
    await writeFileAtomic(file('caCert'), caPem, 0o644);
    caRenewed = true;
  }
  const ca = { cert: new x509.X509Certificate(caPem!), key: await importKey(caKeyPem) };
  const leaf = async (
    certKey: 'serverCert' | 'adminCert',
    keyKey: 'serverKey' | 'adminKey',
    subject: string,
    usage: 'server' | 'client',
  ) => {
    const cert = await read(file(certKey));
    const key = await read(file(keyKey));
    const sans = usage === 'server' ? serverIPs : [];
    if (!caRenewed && fresh(cert, now) && key && namesIPs(cert!, sans)) return { cert: cert!, key };
    const made = await makeLeaf(ca, subject, usage, now, sans);
    await writeFileAtomic(file(keyKey), made.key, 0o600);
    await writeFileAtomic(file(certKey), made.cert, 0o644);
    return made;
  };
  const server = await leaf('serverCert', 'serverKey', 'CN=kube-apiserver', 'server');
  // O=system:masters: the group a real cluster gives every permission to.
  const admin = await leaf('adminCert', 'adminKey', 'CN=berth-admin, O=system:masters', 'client');
  return {
    caCert: caPem!,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
  };
}

/**
 * A client certificate for another user, signed by the cluster CA in `dir` (made by ensureCerts):
 * `CN=jane` authenticates as user jane, each `O=` adds a group. Nothing is written.
 */
export async function issueClientCert(
  dir: string,
  subject: string,
  now = Date.now(),
): Promise<{ cert: string; key: string }> {
  const caPem = await read(path.join(dir, certFiles.caCert));
  const caKeyPem = await read(path.join(dir, certFiles.caKey));
  if (!caPem || !caKeyPem) throw new Error(`no cluster CA in ${dir}`);
  return makeLeaf(
    { cert: new x509.X509Certificate(caPem), key: await importKey(caKeyPem) },
    subject,
    'client',
    now,
  );
}
