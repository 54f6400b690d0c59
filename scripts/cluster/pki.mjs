// Certificates and keys for the test cluster, made with openssl at start-up:
// a cluster CA and the API server's serving certificate, a front-proxy CA and
// client certificate (the aggregation layer), and the service-account key pair.
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'

export function pkiFiles(dir) {
  const file = (name) => path.join(dir, name)
  return {
    caCrt: file('ca.crt'), caKey: file('ca.key'),
    apiserverCrt: file('apiserver.crt'), apiserverKey: file('apiserver.key'),
    frontProxyCaCrt: file('front-proxy-ca.crt'), frontProxyCaKey: file('front-proxy-ca.key'),
    frontProxyClientCrt: file('front-proxy-client.crt'), frontProxyClientKey: file('front-proxy-client.key'),
    saKey: file('sa.key'), saPub: file('sa.pub'),
  }
}

const openssl = (args) => execa('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })

async function selfSignedCa(crt, key, subject) {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '3650', '-subj', subject])
}

async function signed(dir, name, { ca, caKey, subject, extensions }) {
  const key = path.join(dir, `${name}.key`)
  const csr = path.join(dir, `${name}.csr`)
  const ext = path.join(dir, `${name}.ext`)
  writeFileSync(ext, extensions)
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', subject])
  await openssl(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', path.join(dir, `${name}.crt`), '-days', '365', '-extfile', ext])
}

export async function writePki(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const files = pkiFiles(dir)
  await selfSignedCa(files.caCrt, files.caKey, '/CN=strato-test-ca')
  await signed(dir, 'apiserver', {
    ca: files.caCrt, caKey: files.caKey, subject: '/CN=kube-apiserver',
    extensions: 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
  })
  await selfSignedCa(files.frontProxyCaCrt, files.frontProxyCaKey, '/CN=strato-test-front-proxy-ca')
  await signed(dir, 'front-proxy-client', {
    ca: files.frontProxyCaCrt, caKey: files.frontProxyCaKey, subject: '/CN=front-proxy-client',
    extensions: 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  })
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(files.saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  writeFileSync(files.saPub, publicKey.export({ type: 'spki', format: 'pem' }))
  return { caPem: readFileSync(files.caCrt, 'utf8') }
}
