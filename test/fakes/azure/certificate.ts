/**
 * A throwaway TLS certificate for 127.0.0.1, made when the fake starts: the
 * Azure SDKs refuse bearer tokens over plain http, so the fake must speak
 * https, and clients trust this certificate through NODE_EXTRA_CA_CERTS or
 * tlsOptions.ca. Made with openssl (node:crypto makes keys, not certificates).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

export interface Certificate {
  /** PEM private key */
  key: string
  /** PEM certificate, also the CA to trust (it is self-signed) */
  cert: string
  /** the certificate's file, for NODE_EXTRA_CA_CERTS */
  caFile: string
  dir: string
}

export async function makeCertificate(dir = mkdtempSync(path.join(tmpdir(), 'strato-azure-fake-'))): Promise<Certificate> {
  const keyFile = path.join(dir, 'key.pem')
  const caFile = path.join(dir, 'ca.pem')
  await execa('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdin: 'ignore' })
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(caFile, 'utf8'), caFile, dir }
}
