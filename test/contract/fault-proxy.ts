/**
 * An HTTP proxy in front of a provider's real endpoint (the Docker socket,
 * moto) that answers the way a target does when things go wrong: the next N
 * requests fail transiently (dropped connections, throttling, 503) and then
 * pass through; or every request is refused for its credentials. Each
 * harness decides what a failure looks like on its wire.
 */
import { rmSync } from 'node:fs'
import { createServer, request, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'

export interface Upstream {
  /** a unix socket path, or host and port */
  socketPath?: string
  host?: string
  port?: number
  /** an HTTPS upstream (a Kubernetes API server), trusted through this CA; the proxy itself listens on plain HTTP */
  tls?: { ca: string }
}

/** How to answer a request instead of forwarding it. */
export type Fault = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void

export interface FaultProxy {
  /** unix:///path for a socket, http://127.0.0.1:PORT otherwise */
  address: string
  /** fail the next `count` requests that `applies` to, with `fault`; then pass through */
  failNext(count: number, fault: Fault, applies?: (request: IncomingMessage) => boolean): void
  /** refuse every request with `fault` (credentials refused) */
  refuseAll(fault: Fault): void
  /** rewrite the upstream's answers: what the target reports (a health state) rather than what fails */
  rewrite(answer: (request: IncomingMessage, body: Buffer, answer: Buffer) => Buffer): void
  /** how many requests were answered with a fault so far */
  injected(): number
  close(): Promise<void>
}

export async function startFaultProxy(upstream: Upstream, listen: { socketPath?: string } = {}): Promise<FaultProxy> {
  let pending = 0
  let current: Fault | undefined
  let appliesTo: (request: IncomingMessage) => boolean = () => true
  let always = false
  let injected = 0
  let rewrite: ((request: IncomingMessage, body: Buffer, answer: Buffer) => Buffer) | undefined
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const body = Buffer.concat(chunks)
      if (current && (always || (pending > 0 && appliesTo(incoming)))) {
        if (!always) pending -= 1
        injected += 1
        current(incoming, body, response)
        return
      }
      const { tls, ...target } = upstream
      const options: RequestOptions & { ca?: string } = { ...target, method: incoming.method, path: incoming.url, ...(tls ? { ca: tls.ca, headers: { ...incoming.headers, host: `${upstream.host}:${upstream.port}` } } : { headers: incoming.headers }) }
      const send = tls ? httpsRequest : request
      const forwarded = send(options, (answer) => {
        if (!rewrite) {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
          return
        }
        const parts: Buffer[] = []
        answer.on('data', (chunk: Buffer) => parts.push(chunk))
        answer.on('end', () => {
          const rewritten = rewrite!(incoming, body, Buffer.concat(parts))
          const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers
          response.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': rewritten.length })
          response.end(rewritten)
        })
      })
      forwarded.on('error', () => response.destroy())
      forwarded.end(body)
    })
  })
  if (listen.socketPath) rmSync(listen.socketPath, { force: true })
  await new Promise<void>((resolve) => (listen.socketPath ? server.listen(listen.socketPath, resolve) : server.listen(0, '127.0.0.1', resolve)))
  const address = listen.socketPath ? `unix://${listen.socketPath}` : `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    address,
    failNext(count, fault, applies = () => true) {
      pending = count
      current = fault
      appliesTo = applies
      always = false
    },
    refuseAll(fault) {
      current = fault
      always = true
    },
    rewrite(answer) {
      rewrite = answer
    },
    injected: () => injected,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** Drops the connection without an answer, as a dying ssh session or a reset does. */
export const dropConnection: Fault = (request) => {
  request.socket.destroy()
}
