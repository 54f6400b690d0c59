/**
 * The gcp fake for tests: started in this process on a free port, with a
 * service-account key made here (its own RSA key, registered with the fake,
 * token_uri pointing at the fake), so the real Application Default
 * Credentials code signs and exchanges tokens. Helpers drive the fake's
 * /__fake control routes.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startGcpFake, type FaultRule, type GcpFake, type LoggedRequest } from '../fakes/gcp/server.js'
import type { FakeTiming } from '../fakes/gcp/compute-store.js'

export interface TestFake {
  fake: GcpFake
  endpoint: string
  /** path of the key file the test made */
  keyFile: string
  /** environment for the real credential chain: GOOGLE_APPLICATION_CREDENTIALS, no metadata server probe */
  env: Record<string, string>
  control<T = unknown>(method: string, route: string, body?: unknown): Promise<T>
  faults(...rules: FaultRule[]): Promise<void>
  requests(): Promise<LoggedRequest[]>
  state(): Promise<Record<string, string[]>>
  /** a Compute Engine resource as the API answers it, e.g. compute('projects/P/regions/R/addresses/A') */
  compute<T = Record<string, any>>(relative: string): Promise<T>
  reset(): Promise<void>
  close(): Promise<void>
}

export async function startTestFake(timing?: Partial<FakeTiming>): Promise<TestFake> {
  const fake = await startGcpFake({ timing })
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const clientEmail = 'strato-test@test-project.iam.gserviceaccount.com'
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-gcp-'))
  const keyFile = path.join(dir, 'key.json')
  writeFileSync(keyFile, JSON.stringify({
    type: 'service_account', project_id: 'test-project', private_key_id: 'test-key',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail, client_id: '100000000000000000001', token_uri: `${fake.endpoint}/token`,
  }), { mode: 0o600 })
  const control = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const answer = await fetch(`${fake.endpoint}/__fake/${route}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
    if (!answer.ok) throw new Error(`fake control ${method} ${route}: ${answer.status} ${await answer.text()}`)
    return await answer.json() as T
  }
  const register = () => control('POST', 'keys', { clientEmail, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() })
  await register()
  return {
    fake,
    endpoint: fake.endpoint,
    keyFile,
    env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile, METADATA_SERVER_DETECTION: 'none' },
    control,
    faults: async (...rules) => { await control('POST', 'faults', { rules }) },
    requests: async () => (await control<{ requests: LoggedRequest[] }>('GET', 'requests')).requests,
    state: () => control<Record<string, string[]>>('GET', 'state'),
    compute: async <T>(relative: string): Promise<T> => {
      const { access_token: token } = await control<{ access_token: string }>('POST', 'token')
      const answer = await fetch(`${fake.endpoint}/compute/v1/${relative}`, { headers: { authorization: `Bearer ${token}` } })
      if (!answer.ok) throw new Error(`fake GET ${relative}: ${answer.status} ${await answer.text()}`)
      return await answer.json() as T
    },
    reset: async () => { await control('POST', 'reset'); await register() },
    close: () => fake.close(),
  }
}
