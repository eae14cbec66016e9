import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ServerStartError } from './errors';
import { requireTool } from './prerequisites';

const run = promisify(execFile);

/** PEM files of a throwaway private CA, made for one stack run; keys are readable by the owner only. */
export interface StackCertificates {
  /** The CA certificate clients trust (TROUPE_KAFKA_SSL_CA_FILE). */
  caFile: string;
  /** The servers' certificate, for 127.0.0.1 and localhost (subjectAltName), signed by the CA. */
  serverCertFile: string;
  /** Its private key, unencrypted PKCS#8. */
  serverKeyFile: string;
  /** A client certificate signed by the CA, for mutual TLS (TROUPE_KAFKA_SSL_CERT_FILE). */
  clientCertFile: string;
  /** Its private key (TROUPE_KAFKA_SSL_KEY_FILE). */
  clientKeyFile: string;
}

/** What makeStackCertificates may make differently. */
export interface StackCertificateOptions {
  /**
   * Days the server certificate is valid from now. Default 7. A negative number makes one that
   * has already expired, for testing what a client says about it.
   */
  serverDays?: number;
}

/**
 * Makes a CA, a server certificate and a client certificate in `dir` with the `openssl` command
 * (EC P-256 keys, valid 7 days: the stack is for one run). Nothing here is fit for production;
 * it is what lets the local servers speak TLS the way a private-CA deployment does.
 */
export async function makeStackCertificates(
  dir: string,
  options: StackCertificateOptions = {},
): Promise<StackCertificates> {
  const openssl = requireTool('openssl');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const ssl = async (...args: string[]) => {
    try {
      await run(openssl, args, { cwd: dir });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new ServerStartError('the stack certificates', `openssl ${args[0]} failed`, stderr);
    }
  };
  const key = (name: string) =>
    ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));

  await key('ca.key');
  await ssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-subj',
    '/CN=Troupe devstack CA',
    '-days',
    '7',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    file('ca.pem'),
  );
  const leaf = async (name: string, subject: string, extensions: string, days = 7) => {
    await key(`${name}.key`);
    await ssl(
      'req',
      '-new',
      '-key',
      file(`${name}.key`),
      '-subj',
      subject,
      '-out',
      file(`${name}.csr`),
    );
    writeFileSync(file(`${name}.ext`), extensions);
    await ssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };
  await leaf(
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    options.serverDays ?? 7,
  );
  await leaf('client', '/CN=troupe-client', 'extendedKeyUsage=clientAuth\n');
  for (const name of ['ca.key', 'server.key', 'client.key']) chmodSync(file(name), 0o600);
  return {
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
  };
}
