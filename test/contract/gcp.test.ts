/**
 * The conformance suite on the gcp provider, against the gcp fake (started
 * here, in this process), through the real compute client and the real
 * credential chain (a service-account key made here, its token_uri the
 * fake's). A version that never turns healthy is one whose startup script
 * runs an image the fake marks unhealthy; transient errors and refused
 * credentials are the fake's own faults, answered as Google does.
 */
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'
import { providerFor } from '../../providers/registry.js'
import { startTestFake, type TestFake } from '../helpers/gcp-fake.js'
import { freePort } from '../helpers/moto.js'
import type { ContractHarness, ContractProject } from './harness.js'
import { providerContract } from './suite.js'

const NAME = 'ctgcp'
const GCP_PROJECT = 'ctgcp-project'
const BILLING = { dataset: 'billing', table: 'export' }
let fake: TestFake
let token = ''
let image = 1
let healthTimeoutSeconds = 20
const saved: Record<string, string | undefined> = {}

function manifest(endpoint = fake.endpoint): Manifest {
  return {
    name: NAME,
    services: {
      web: {
        image: `registry.example/web:1.${image}.0`, port: 8080, health: '/healthz', replicas: 2,
        autoscale: {
          min: 1, max: 3, target: { cpu: 60 }, cooldown: '60s',
          schedule: [{ cron: '0 8 * * 1-5', min: 2 }, { cron: '0 20 * * 1-5', min: 1 }],
        },
      },
    },
    targets: { gcp: { provider: 'gcp', project: GCP_PROJECT, zone: 'europe-west1-b', endpoint, billing: BILLING } },
  }
}

const project = (): ContractProject => ({ manifest: manifest(), dir: process.cwd(), targetName: 'gcp', service: 'web' })

function open(settings: ProviderSettings = {}, endpoint?: string): Promise<Provider> {
  const m = manifest(endpoint)
  return providerFor({
    manifest: m, targetName: 'gcp', target: m.targets!.gcp, projectDir: process.cwd(), env: process.env, progress: silentProgress,
    settings: { maxAttempts: 3, pollIntervalMs: 25, healthTimeoutSeconds, ...settings },
  })
}

/** A call to the fake as Google's API, with a token the fake issued (not through the provider). */
async function google<T>(method: string, path: string): Promise<T> {
  const answer = await fetch(`${fake.endpoint}${path}`, { method, headers: { authorization: `Bearer ${token}` } })
  return await answer.json() as T
}

/** Faults the fake answered with since `since` requests were logged. */
function injectedSince(since: number, statuses: number[]): number {
  return fake.fake.requests().slice(since).filter((request) => statuses.includes(request.status)).length
}

const harness: ContractHarness = {
  kind: 'gcp',
  async setUp() {
    fake = await startTestFake()
    for (const key of ['GOOGLE_APPLICATION_CREDENTIALS', 'METADATA_SERVER_DETECTION']) saved[key] = process.env[key]
    Object.assign(process.env, fake.env)
    token = (await fake.control<{ access_token: string }>('POST', 'token')).access_token
  },
  async tearDown() {
    await fake?.close()
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  },
  project,
  open: (settings) => open(settings),
  changeVersion() {
    image += 1
  },
  async neverHealthy() {
    // the next version's image never answers its health check: its instances stay UNHEALTHY
    image += 1
    const broken = `registry.example/web:1.${image}.0`
    await fake.faults({ kind: 'unhealthy', metadata: broken })
    healthTimeoutSeconds = 2
    return async () => {
      await fake.control('DELETE', 'faults')
      healthTimeoutSeconds = 20
      image -= 1
    }
  },
  async serving() {
    // the instances the service's backend service reports healthy, by name
    const group = `projects/${GCP_PROJECT}/regions/europe-west1/instanceGroups/strato-${NAME}-web`
    const answer = await fetch(`${fake.endpoint}/compute/v1/projects/${GCP_PROJECT}/global/backendServices/strato-${NAME}-web/getHealth`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ group }),
    })
    const health = (await answer.json() as { healthStatus?: { instance: string; healthState: string }[] }).healthStatus ?? []
    return health.filter((entry) => entry.healthState === 'HEALTHY').map((entry) => entry.instance.split('/').pop()!).sort()
  },
  async withTransientFaults(failures) {
    const since = fake.fake.requests().length
    // throttling first, then a server error, on the first compute calls
    await fake.faults(...Array.from({ length: failures }, (_, index) => ({ kind: 'status' as const, status: index % 2 === 0 ? 429 : 503, path: '^/compute/', times: 1 })))
    const provider = await open({ maxAttempts: failures + 2 })
    return { provider, injected: () => injectedSince(since, [429, 503]), close: () => provider.close() }
  },
  async withRefusedCredentials() {
    const since = fake.fake.requests().length
    await fake.control('POST', 'credentials', { refuse: true })
    const provider = await open()
    return {
      provider,
      injected: () => injectedSince(since, [400, 401]),
      close: async () => {
        await provider.close()
        await fake.control('POST', 'credentials', { refuse: false })
      },
    }
  },
  unreachable: async () => open({ maxAttempts: 1 }, `http://127.0.0.1:${await freePort()}`),
  async recordMetrics(service) {
    const now = Date.now()
    await fake.control('POST', 'metrics', { series: [{
      metricType: 'compute.googleapis.com/instance/cpu/utilization', resourceType: 'gce_instance',
      userLabels: { 'strato-project': NAME, 'strato-service': service },
      points: [0.35, 0.55].map((value, index) => ({ at: new Date(now - (3 - index) * 60_000).toISOString(), value })),
    }] })
  },
  async recordSpend(period) {
    await fake.control('POST', 'billing', {
      table: `${GCP_PROJECT}.${BILLING.dataset}.${BILLING.table}`,
      rows: [{ usage_start_time: `${period.start}T06:00:00Z`, cost: 3.2, currency: 'USD', labels: [{ key: 'strato-project', value: NAME }, { key: 'strato-service', value: 'web' }], credits: [{ amount: -0.2 }] }],
    })
  },
  async labelled() {
    const state = await fake.state()
    const instances = await google<{ items?: Record<string, { instances?: { name: string }[] }> }>('GET', `/compute/v1/projects/${GCP_PROJECT}/aggregated/instances?filter=${encodeURIComponent(`labels.strato-project = ${NAME}`)}`)
    return [
      ...Object.entries(state).flatMap(([collection, names]) => names.map((name) => `${collection.split('/').pop()} ${name}`)),
      ...Object.values(instances.items ?? {}).flatMap((scope) => scope.instances ?? []).map((instance) => `instance ${instance.name}`),
    ]
  },
}

providerContract(harness)
