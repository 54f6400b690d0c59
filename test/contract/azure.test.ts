/**
 * The conformance suite on the azure provider, against the Azure fake, with
 * the real DefaultAzureCredential (environment credentials, the fake as the
 * authority). A version that never turns healthy is one whose VMs the fake
 * keeps reporting unhealthy (its custom data names the image); transient
 * errors, refused credentials and an unreachable endpoint are the fake's
 * injected faults, or a port nothing listens on.
 */
import type { TokenCredential } from '@azure/core-auth'
import { startAzureFake, type AzureFake } from '../fakes/azure/server.ts'
import { AzureProvider } from '../../providers/azure/index.js'
import { defaultCredential } from '../../providers/azure/credentials.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { silentProgress } from '../../src/model.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'
import { freePort } from '../helpers/moto.js'
import type { ContractHarness, ContractProject } from './harness.js'
import { providerContract } from './suite.js'

const NAME = 'ctazure'
const CREDENTIAL_VARIABLES = ['AZURE_AUTHORITY_HOST', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const
let fake: AzureFake
let saved: Record<string, string | undefined> = {}
let image = 1
let healthTimeoutSeconds = 20

const imageOf = (n: number) => `registry.example/web:1.${n}.0`

function manifest(endpoint = fake.endpoint): Manifest {
  return {
    name: NAME,
    services: {
      web: {
        image: imageOf(image), port: 8080, health: '/healthz', replicas: 2,
        autoscale: { min: 1, max: 3, target: { cpu: 60 }, steps: [{ metric: 'cpu', above: 85, change: 1 }], schedule: [{ cron: '0 8 * * 1-5', min: 2 }], cooldown: '60s' },
      },
    },
    targets: { azure: { provider: 'azure', location: 'westeurope', vmSize: 'Standard_B2s', subscription: fake.subscriptionId, endpoint } },
  }
}

const project = (): ContractProject => ({ manifest: manifest(), dir: process.cwd(), targetName: 'azure', service: 'web' })

/** A provider as the registry makes it, with the fake's CA trusted (the CLI uses NODE_EXTRA_CA_CERTS instead). */
async function open(settings: ProviderSettings = {}, endpoint?: string, credential?: TokenCredential): Promise<Provider> {
  const m = manifest(endpoint)
  return new AzureProvider(
    { manifest: m, targetName: 'azure', target: m.targets!.azure, projectDir: process.cwd(), env: process.env, progress: silentProgress, settings: { maxAttempts: 2, pollIntervalMs: 20, healthTimeoutSeconds, ...settings } },
    { credential: credential ?? await defaultCredential(process.env, fake.ca), tlsCa: fake.ca },
  )
}

/** Answers the fake gave with one of these statuses since `from` (an index in its log). */
const answered = (from: number, ...statuses: number[]) => fake.state.log.slice(from).filter((call) => statuses.includes(call.status)).length

interface State { resources: { id: string; type: string; tags: Record<string, string> }[]; scaleSets: Record<string, { vms: { instanceId: string; health: string }[] }>; deletedVaults: string[] }

const harness: ContractHarness = {
  kind: 'azure',
  async setUp() {
    fake = await startAzureFake()
    saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((key) => [key, process.env[key]]))
    Object.assign(process.env, { AZURE_AUTHORITY_HOST: fake.endpoint, AZURE_TENANT_ID: fake.tenantId, AZURE_CLIENT_ID: 'strato-contract', AZURE_CLIENT_SECRET: ['contract', 'only'].join('-') })
  },
  async tearDown() {
    for (const key of CREDENTIAL_VARIABLES) { if (saved[key] === undefined) delete process.env[key]; else process.env[key] = saved[key] }
    await fake?.close()
  },
  project,
  open: (settings) => open(settings),
  changeVersion() {
    image += 1
  },
  async neverHealthy() {
    await fake.control('POST', '/faults', { kind: 'unhealthy', contains: imageOf(image + 1) })
    image += 1
    healthTimeoutSeconds = 1
    return async () => {
      await fake.control('DELETE', '/faults')
      healthTimeoutSeconds = 20
      image -= 1
    }
  },
  async serving() {
    // the VMs the fake reports healthy behind the balancer: the ones a client reaches
    const state = await fake.control<State>('GET', '/state')
    return Object.entries(state.scaleSets).filter(([id]) => id.endsWith(`/strato-${NAME}-web`))
      .flatMap(([, set]) => set.vms.filter((vm) => vm.health === 'healthy').map((vm) => vm.instanceId)).sort()
  },
  async withTransientFaults(failures) {
    const from = fake.state.log.length
    // throttling first (429 with Retry-After), then 503s: the SDK's retry policies take both
    await fake.control('POST', '/faults', [
      { kind: 'throttle', retryAfter: 0, times: Math.ceil(failures / 2) },
      { kind: 'serverError', status: 503, times: Math.floor(failures / 2) },
    ])
    const provider = await open({ maxAttempts: failures + 2 })
    return { provider, injected: () => answered(from, 429, 503), close: async () => { await provider.close(); await fake.control('DELETE', '/faults') } }
  },
  async withRefusedCredentials() {
    const from = fake.state.log.length
    await fake.control('POST', '/faults', { kind: 'refuseCredentials' })
    // a new credential: nothing cached, so the token endpoint is asked and refuses
    const provider = await open({}, undefined, await defaultCredential(process.env, fake.ca))
    return { provider, injected: () => answered(from, 401), close: async () => { await provider.close(); await fake.control('DELETE', '/faults') } }
  },
  unreachable: async () => open({ maxAttempts: 1 }, `https://127.0.0.1:${await freePort()}`),
  async recordMetrics(service) {
    const state = await fake.control<State>('GET', '/state')
    const scaleSet = state.resources.find((resource) => resource.type === 'Microsoft.Compute/virtualMachineScaleSets' && resource.tags['strato.service'] === service)
    if (scaleSet) await fake.control('POST', '/cpu', { resourceId: scaleSet.id, value: 42 })
  },
  async recordSpend(period) {
    await fake.control('POST', '/costs', { records: [{ date: period.start, cost: 3.2, currency: 'USD', tags: { 'strato.project': NAME, 'strato.service': 'web' } }] })
  },
  async labelled() {
    const state = await fake.control<State>('GET', '/state')
    return [
      ...state.resources.filter((resource) => resource.tags['strato.project'] === NAME).map((resource) => `${resource.type} ${resource.id}`),
      ...state.deletedVaults.filter((name) => name.includes(NAME.slice(0, 12))).map((name) => `soft-deleted vault ${name}`),
    ]
  },
}

providerContract(harness)
