import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GraphConfig } from '../../config/graph-schema.js';

/** What the app signs in with: a certificate (a signed client assertion, RFC 7523) or a secret. */
export type GraphCredential =
  | {
      kind: 'certificate';
      /** Hex SHA-256 thumbprint: the assertion's `x5t#S256`, and what Entra shows beside the uploaded certificate (as SHA-1). */
      thumbprintSha256: string;
      thumbprintSha1: string;
      /** Unencrypted PKCS#8 PEM, in memory only. */
      privateKeyPem: string;
      subject: string;
      notBefore: Date;
      notAfter: Date;
      path: string;
    }
  | { kind: 'secret'; secret: string };

/** A credential that cannot be used as configured; the message says what to fix, never a secret. */
export class GraphCredentialError extends Error {
  override name = 'GraphCredentialError';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/;

/**
 * Reads the configured credential. A certificate file holds the certificate uploaded to the app
 * registration, and its private key unless `privateKeyPath` names another file; the key must be
 * the certificate's (checked here, so a mismatch is named at start, not as AADSTS700027 later).
 */
export function loadGraphCredential(
  g: Pick<GraphConfig, 'certificatePath' | 'privateKeyPath' | 'privateKeyPassphrase' | 'clientSecret'>,
  baseDir: string,
): GraphCredential {
  if (!g.certificatePath) {
    if (!g.clientSecret) throw new GraphCredentialError('no certificatePath or clientSecret');
    return { kind: 'secret', secret: g.clientSecret };
  }
  const path = resolve(baseDir, g.certificatePath);
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new GraphCredentialError(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const certText = read(path, 'certificate file');
  const certPem = PEM_CERT.exec(certText)?.[0];
  if (!certPem)
    throw new GraphCredentialError(
      `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a .pfx with: openssl pkcs12 -in app.pfx -out app.pem -nodes`,
    );
  const keyFile = g.privateKeyPath ? resolve(baseDir, g.privateKeyPath) : path;
  const keyPem = PEM_KEY.exec(g.privateKeyPath ? read(keyFile, 'private key file') : certText)?.[0];
  if (!keyPem) throw new GraphCredentialError(`${keyFile} holds no PEM private key; put the certificate's key in it or name its file in privateKeyPath`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (error) {
    throw new GraphCredentialError(`${path}: the certificate cannot be read (${(error as Error).message})`);
  }
  let privateKeyPem: string;
  try {
    const key = createPrivateKey({ key: keyPem, ...(g.privateKeyPassphrase ? { passphrase: g.privateKeyPassphrase } : {}) });
    if (!cert.checkPrivateKey(key)) throw new GraphCredentialError(`${keyFile}: this private key does not belong to the certificate in ${path}`);
    privateKeyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (error) {
    if (error instanceof GraphCredentialError) throw error;
    const hint = /passphrase|decrypt|bad decrypt/i.test((error as Error).message) ? ' (encrypted: set privateKeyPassphrase)' : '';
    throw new GraphCredentialError(`${keyFile}: the private key cannot be read${hint}`);
  }
  return {
    kind: 'certificate',
    thumbprintSha256: cert.fingerprint256.replace(/:/g, ''),
    thumbprintSha1: cert.fingerprint.replace(/:/g, ''),
    privateKeyPem,
    subject: cert.subject.replace(/\n/g, ', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    path,
  };
}
