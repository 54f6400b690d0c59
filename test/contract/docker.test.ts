/**
 * The conformance suite on the docker provider, against the real engine (run
 * under the engine lock). The project is the fixture app (test/fixtures/docker):
 * its release text is its version; "broken" fails its health check. Faults
 * come from a proxy on a unix socket in front of the engine's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { effectiveTargets } from '../../src/manifest/defaults.js'
import { parseManifest } from '../../src/manifest/load.js'
import { silentProgress } from '../../src/model.js'
import { descriptorOf } from '../../providers/descriptors.js'
import type { Provider, ProviderSettings } from '../../providers/provider.js'
import { providerFor } from '../../providers/registry.js'
import { docker, ensureDockerEngine, fixtureProject, get, IMAGE_MAP, type FixtureProject } from '../helpers/docker.js'
import { dropConnection, startFaultProxy } from './fault-proxy.js'
import type { ContractHarness, ContractProject } from './harness.js'
import { providerContract } from './suite.js'

const NAME = 'ctdocker'
const PORT = 18280
const ENGINE = '/var/run/docker.sock'
let fixture: FixtureProject
let release = 1
let healthTimeoutSeconds = 30
let sockets: string

function project(): ContractProject {
  const file = path.join(fixture.dir, 'strato.yaml')
  const { manifest } = parseManifest(readFileSync(file, 'utf8'), file, file, descriptorOf)
  return { manifest, dir: fixture.dir, targetName: 'local', service: 'web' }
}

function open(settings: ProviderSettings = {}, hosts?: string[]): Promise<Provider> {
  const { manifest, dir, targetName } = project()
  const target = { ...effectiveTargets(manifest)[targetName], ...(hosts ? { hosts } : {}) }
  return providerFor({
    manifest, targetName, target, projectDir: dir, env: process.env, progress: silentProgress,
    settings: { imageMap: IMAGE_MAP, healthTimeoutSeconds, pollIntervalMs: 50, ...settings },
  })
}

const AUTHZ_REFUSAL = JSON.stringify({ message: 'authorization denied by plugin strato-contract: request rejected' })

const harness: ContractHarness = {
  kind: 'docker',
  async setUp() {
    await ensureDockerEngine()
    fixture = fixtureProject(NAME, PORT)
    fixture.setManifest(fixtureManifest())
    fixture.setRelease('v1')
    sockets = mkdtempSync(path.join(tmpdir(), 'strato-contract-'))
    await docker(['rm', '--force', `strato-${NAME}-lock`], { reject: false })
  },
  async tearDown() {
    const provider = await open()
    await provider.destroy({ volumes: true }).catch(() => undefined)
    rmSync(sockets, { recursive: true, force: true })
  },
  project,
  open: (settings) => open(settings),
  changeVersion() {
    release += 1
    fixture.setRelease(`v${release}`)
  },
  async neverHealthy() {
    fixture.setRelease('broken')
    healthTimeoutSeconds = 8
    return async () => {
      healthTimeoutSeconds = 30
      fixture.setRelease(`v${release}`)
    }
  },
  async serving(endpoint) {
    const bodies = new Set<string>()
    for (let request = 0; request < 8; request++) bodies.add((await get(endpoint!)).body.split(' ')[0])
    return [...bodies].sort()
  },
  async withTransientFaults(failures) {
    const proxy = await startFaultProxy({ socketPath: ENGINE }, { socketPath: path.join(sockets, 'transient.sock') })
    // the client's ping falls back quietly; the requests after it are what a dropped connection fails
    proxy.failNext(failures, dropConnection, (request) => !request.url?.endsWith('/_ping'))
    const provider = await open({ maxAttempts: failures + 1 }, [proxy.address])
    return { provider, injected: proxy.injected, close: async () => { await provider.close(); await proxy.close() } }
  },
  async withRefusedCredentials() {
    const proxy = await startFaultProxy({ socketPath: ENGINE }, { socketPath: path.join(sockets, 'refused.sock') })
    // what a daemon with an authorization plugin answers a client it does not allow
    proxy.refuseAll((_request, _body, response) => {
      response.writeHead(403, { 'content-type': 'application/json' })
      response.end(AUTHZ_REFUSAL)
    })
    const provider = await open({}, [proxy.address])
    return { provider, injected: proxy.injected, close: async () => { await provider.close(); await proxy.close() } }
  },
  unreachable: () => open({ maxAttempts: 1 }, [`unix://${path.join(tmpdir(), 'strato-contract-nothing-listens.sock')}`]),
  async labelled() {
    const filter = ['--filter', `label=strato.project=${NAME}`]
    const lists = await Promise.all([
      docker(['ps', '--all', '--quiet', ...filter]),
      docker(['network', 'ls', '--quiet', ...filter]),
      docker(['image', 'ls', '--quiet', ...filter]),
      docker(['volume', 'ls', '--quiet', ...filter]),
    ])
    return lists.flatMap((list) => list.split('\n').filter(Boolean))
  },
}

/** The fixture app with an autoscale block the controller can run (CPU, within 1..3). */
function fixtureManifest(): string {
  return [
    `name: ${NAME}`,
    'services:',
    '  web:',
    '    build: ./app',
    '    port: 3000',
    '    health: /healthz',
    '    replicas: 2',
    '    resources: { cpu: 0.5, memory: 128Mi }',
    '    autoscale: { min: 1, max: 3, target: { cpu: 60 }, cooldown: 30s }',
    `loadBalancer: { algorithm: least-conn, port: ${PORT} }`,
    '',
  ].join('\n')
}

providerContract(harness)
