/**
 * The stateful Azure Resource Manager fake: one https server on 127.0.0.1
 * with a certificate made at start, answering the Microsoft identity token
 * endpoints, Resource Manager (see arm.ts) and its own control endpoint
 * (control.ts). Tests start it in-process; `npm run fake -- azure` runs it in
 * the foreground (main.ts).
 */
import { createServer, request as httpsRequest, type Server } from 'node:https'
import { rmSync } from 'node:fs'
import { handleArm } from './arm.ts'
import { makeCertificate } from './certificate.ts'
import { controlRoute } from './control.ts'
import { armError, readRequest, send, type FakeResponse } from './http.ts'
import { identityRoute, issueToken } from './identity.ts'
import { FakeState, type Fault, type FakeOptions } from './state.ts'

export interface AzureFakeOptions extends Partial<FakeOptions> {
  /** 0 (default) picks a free port */
  port?: number
  /** the subscription `GET /subscriptions` lists */
  subscriptionId?: string
}

export interface AzureFake {
  /** https://127.0.0.1:PORT: Resource Manager, the authority host and the control endpoint */
  endpoint: string
  port: number
  /** the self-signed certificate's file (NODE_EXTRA_CA_CERTS) and text (tlsOptions.ca) */
  caFile: string
  ca: string
  subscriptionId: string
  tenantId: string
  state: FakeState
  /** a bearer token the fake accepts, for a static TokenCredential in tests */
  token(clientId?: string): { token: string; expiresOnTimestamp: number }
  addFault(...faults: Fault[]): void
  clearFaults(): void
  /** calls the control endpoint over https, as another process would (POST /_fake/faults ...) */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>
  close(): Promise<void>
}

export const FAKE_TENANT = '0c5f1e2d-0000-4000-8000-00000000fa4e'
export const FAKE_SUBSCRIPTION = '5e7a2c10-0000-4000-8000-00000000a2b3'

export async function startAzureFake(options: AzureFakeOptions = {}): Promise<AzureFake> {
  const { port = 0, subscriptionId = FAKE_SUBSCRIPTION, ...stateOptions } = options
  const certificate = await makeCertificate()
  const state = new FakeState(stateOptions)
  let origin = ''
  const server: Server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    void (async () => {
      let answer: FakeResponse
      let path = req.url ?? '/'
      try {
        const request = await readRequest(req, origin)
        path = request.path
        answer = (request.path.startsWith('/_fake') ? controlRoute(state, request) : undefined)
          ?? identityRoute(state, request)
          ?? (request.path.toLowerCase().startsWith('/subscriptions') ? handleArm(state, request, subscriptionId) : undefined)
          ?? armError(404, 'NotFound', `The fake has no route for ${request.method} ${request.path}.`)
      } catch (error) {
        answer = armError(500, 'InternalServerError', `The fake failed: ${(error as Error).stack ?? String(error)}`)
      }
      if (!path.startsWith('/_fake')) {
        state.log.push({ method: req.method ?? 'GET', path, status: answer.status, at: Date.now() })
        if (state.log.length > 20_000) state.log.splice(0, state.log.length - 20_000)
      }
      send(res, answer)
    })()
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  origin = `https://127.0.0.1:${actualPort}`
  return {
    endpoint: origin,
    port: actualPort,
    caFile: certificate.caFile,
    ca: certificate.cert,
    subscriptionId,
    tenantId: FAKE_TENANT,
    state,
    token: (clientId = 'strato-tests') => {
      const issued = issueToken(state, { origin }, clientId, FAKE_TENANT, 'https://management.azure.com/.default')
      return { token: issued.token, expiresOnTimestamp: Date.now() + issued.expiresIn * 1000 }
    },
    addFault: (...faults) => { state.faults.push(...faults) },
    clearFaults: () => { state.faults = [] },
    control: (method, path, body) => controlRequest(origin, certificate.cert, method, path, body),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => {
        rmSync(certificate.dir, { recursive: true, force: true })
        resolve()
      })
    }),
  }
}

/** One request to a fake's control endpoint (/_fake/...), trusting its certificate. */
export function controlRequest<T = unknown>(endpoint: string, ca: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body)
    const req = httpsRequest(new URL(`/_fake${path}`, endpoint), { method, ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} /_fake${path} answered ${res.statusCode}: ${text}`))
        else resolve((text ? JSON.parse(text) : undefined) as T)
      })
    })
    req.once('error', reject)
    req.end(payload)
  })
}
