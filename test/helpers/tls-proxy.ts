/**
 * A TLS-inspecting HTTPS proxy with a private CA, as enterprises run for
 * egress: it answers CONNECT, terminates TLS with a certificate its own CA
 * signed, records the request, and forwards it to the real host. A client
 * gets through only if it trusts that CA, so a build that succeeds through
 * it, while one without the CA is refused, proves the CA was used.
 * Keys and certificates are made with openssl at test time; none is stored.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'

export interface InterceptingProxy {
  /** http://HOST:PORT, for HTTPS_PROXY */
  url: string
  /** the private CA, PEM */
  caPem: string
  /** hosts of requests that got through (the client trusted the CA) */
  intercepted: string[]
  /** TLS connections the client refused: it aborted the handshake, or hung up without a request (it did not trust the CA) */
  refusedHandshakes: number
  close(): Promise<void>
}

/** Hosts the certificate is valid for: the npm registry and the Python package index. */
const HOSTS = ['registry.npmjs.org', 'pypi.org', 'files.pythonhosted.org']

async function makeCertificates(dir: string): Promise<{ caPem: string; key: string; cert: string }> {
  const file = (name: string) => path.join(dir, name)
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=strato test intercepting proxy CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  await execa('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', '/CN=strato test intercepting proxy'])
  writeFileSync(file('leaf.ext'), `subjectAltName=${HOSTS.map((host) => `DNS:${host}`).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`)
  await execa('openssl', ['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('leaf.pem'), '-days', '2', '-extfile', file('leaf.ext')])
  return { caPem: readFileSync(file('ca.pem'), 'utf8'), key: readFileSync(file('leaf.key'), 'utf8'), cert: readFileSync(file('leaf.pem'), 'utf8') }
}

/** Starts the proxy on `host` (the docker bridge gateway, so build containers reach it). */
export async function startInterceptingProxy(host: string): Promise<InterceptingProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-proxy-ca-'))
  const { caPem, key, cert } = await makeCertificates(dir)
  rmSync(dir, { recursive: true, force: true })
  const state = { intercepted: [] as string[], refusedHandshakes: 0 }

  // A client that does not trust the CA aborts the handshake or hangs up without a request; either way its
  // tunnel closes having served nothing. TLS is terminated by hand so each tunnel's socket is known.
  const served = new WeakSet<object>()
  const inspecting = http.createServer((request, response) => {
    served.add(request.socket)
    const target = (request.headers.host ?? '').split(':')[0]
    state.intercepted.push(target)
    const upstream = https.request({ host: target, port: 443, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    upstream.on('error', (error) => response.writeHead(502).end(error.message))
    request.pipe(upstream)
  })

  const proxy = http.createServer((_request, response) => response.writeHead(405).end('CONNECT only\n'))
  proxy.on('connect', (_request, socket, head) => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length) socket.unshift(head)
    const secure = new tls.TLSSocket(socket, { isServer: true, key, cert })
    secure.on('error', () => socket.destroy())
    socket.on('close', () => { if (!served.has(secure)) state.refusedHandshakes++ })
    inspecting.emit('connection', secure)
  })
  await new Promise<void>((resolve) => proxy.listen(0, host, resolve))
  const { port } = proxy.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    caPem,
    get intercepted() { return state.intercepted },
    get refusedHandshakes() { return state.refusedHandshakes },
    async close() {
      proxy.closeAllConnections()
      inspecting.closeAllConnections()
      await new Promise((resolve) => proxy.close(resolve))
    },
  }
}
