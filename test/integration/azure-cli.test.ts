/**
 * The built CLI on an azure target, against the Azure fake: `strato new shop
 * --target azure`, then deploy (its build: services built on the local engine
 * and pushed to a registry, Debian's docker-registry), status, scale, a scale
 * outside the bounds (exit 2), autoscale apply twice, check --live, cost
 * actual, a second release, releases, rollback, destroy, and doctor, plus
 * refused credentials (exit 5) and an endpoint that is gone (exit 4). The
 * shop's database is private: on the internal load balancer only, its NSG
 * admitting the virtual network, its name in the others' boot scripts. The
 * credential chain is the real one: the CLI runs DefaultAzureCredential with
 * AZURE_* variables and the fake as authority, and trusts the fake's
 * certificate through NODE_EXTRA_CA_CERTS. Uses the Docker engine.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { startAzureFake, type AzureFake } from '../fakes/azure/server.ts'
import { docker, ensureDockerEngine } from '../helpers/docker.js'
import { startDockerRegistry, type DockerRegistry } from '../helpers/docker-registry.js'
import { networkView } from '../helpers/azure-private-view.js'
import { freePort } from '../helpers/moto.js'
import { strato } from '../helpers/strato.js'

const HOST_CA = '/etc/ssl/certs/ca-certificates.crt'
const SERVICES = ['users', 'orders', 'payments'] as const
let fake: AzureFake
let work: string
let dir: string
let registry: DockerRegistry | undefined
let registryHost: string
const secret = ['e2e', process.pid, Date.now()].join('-')

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: fake.caFile, AZURE_AUTHORITY_HOST: fake.endpoint, AZURE_TENANT_ID: fake.tenantId, AZURE_CLIENT_ID: 'strato-e2e',
    AZURE_CLIENT_SECRET: ['e2e', 'only'].join('-'), STRATO_POLL_MS: '20', STRATO_MAX_ATTEMPTS: '2', DB_PASSWORD: secret, POSTGRES_PASSWORD: secret, HOME: work, ...extra,
  }
}

async function run(args: string[], extra: Record<string, string> = {}) {
  const result = await strato(args, { cwd: dir, env: env(extra) })
  return { ...result, json: () => JSON.parse(result.stdout) }
}

/** Points the scaffolded target at the fake and the local registry; builds use the local Node base image. */
function pointAtFake(file: string): void {
  const doc = parseDocument(readFileSync(file, 'utf8'))
  doc.setIn(['targets', 'azure', 'endpoint'], fake.endpoint)
  doc.setIn(['targets', 'azure', 'subscription'], fake.subscriptionId)
  doc.setIn(['targets', 'azure', 'registry'], registryHost)
  for (const service of SERVICES) {
    doc.setIn(['services', service, 'build'], { context: `./services/${service}`, args: { BASE_IMAGE: 'local/node:24' } })
    // npm in the build reaches the registry through the host's CA bundle, as behind a TLS-inspecting proxy
    copyFileSync(HOST_CA, path.join(dir, 'services', service, 'certs', 'host-ca.pem'))
  }
  writeFileSync(file, doc.toString())
}

beforeAll(async () => {
  await ensureDockerEngine()
  if ((await execa('docker', ['image', 'inspect', 'local/node:24'], { reject: false })).exitCode !== 0) {
    await execa('bash', [path.resolve(import.meta.dirname, '../../scripts/base-images.sh')], { stdio: 'inherit' })
  }
  work = mkdtempSync(path.join(tmpdir(), 'strato-azure-cli-'))
  fake = await startAzureFake()
  registry = await startDockerRegistry(work)
  registryHost = registry.address
})

afterAll(async () => {
  await fake?.close()
  await registry?.stop()
  for (const service of SERVICES) await docker(['image', 'rm', '--force', ...[1, 2].map((n) => `${registryHost}/shop-${service}`)]).catch(() => undefined)
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('strato CLI on an azure target (the fake)', () => {
  it('scaffolds the shop for azure, deploys it, and runs every verb against the fake through the real credential chain', async () => {
    const created = await strato(['new', 'shop', '--target', 'azure', '--dir', path.join(work, 'shop'), '--json'], { cwd: work, env: env() })
    expect(created.exitCode, created.stderr).toBe(0)
    dir = JSON.parse(created.stdout).dir
    pointAtFake(path.join(dir, 'strato.yaml'))

    const doctor = await run(['doctor', '--json'])
    expect(doctor.json().checks.filter((check: { target?: string }) => check.target === 'azure').map((check: { name: string; status: string }) => [check.name, check.status]))
      .toEqual([['azure credentials', 'ok'], ['azure subscription', 'ok'], ['azure resource providers', 'ok']])

    const deploy = await run(['deploy', '--target', 'azure', '--yes', '--json'])
    expect(deploy.exitCode, `${deploy.stderr}\n${deploy.stdout}`).toBe(0)
    const endpoints = deploy.json().targets.azure.endpoints as Record<string, string>
    expect(Object.keys(endpoints).sort()).toEqual(['db', 'orders', 'payments', 'users'])
    for (const service of SERVICES) expect(endpoints[service]).toMatch(/^http:\/\/203\.0\.\d+\.\d+(:\d+)?$/)
    expect(endpoints.db).toBe('10.42.15.254:5432 (private)')
    // the database: no public rule, its own internal one on 5432, admitted from the virtual network only, reached by name
    const view = networkView(fake, 'strato-shop-azure', 'shop')
    expect(view.publicRules.sort()).toEqual(['orders-http', 'payments-http', 'users-http'])
    expect(view.internalRules).toEqual([{ name: 'db-tcp', frontendPort: 5432, backendPort: 5432 }])
    expect(view.internalFrontends.map((frontend) => [frontend.name, frontend.address, frontend.allocation])).toEqual([['db-private', '10.42.15.254', 'Static']])
    expect(view.nsgOf.db).toBe('strato-shop-private-nsg')
    expect(view.nsgRules['strato-shop-private-nsg']).toEqual([['allow-network-5432', 'VirtualNetwork', '5432'], ['allow-probe-5432', 'AzureLoadBalancer', '5432']])
    expect(Object.values(view.nsgRules).flat().filter(([, source]) => source === 'Internet').map(([, , port]) => port)).toEqual(['8080'])
    for (const service of SERVICES) expect(view.scriptOf[service]).toContain(' --add-host db:10.42.15.254 ')
    const replan = await run(['plan', '--target', 'azure', '--json'])
    expect(replan.exitCode, replan.stderr).toBe(0)
    expect(new Set((replan.json().actions as { kind: string }[]).map((action) => action.kind))).toEqual(new Set(['noop']))
    // the build: services ran from the images strato pushed, tagged with their versions
    const catalog = await (await fetch(`http://${registryHost}/v2/_catalog`)).json() as { repositories: string[] }
    expect(catalog.repositories.sort()).toEqual(['shop-orders', 'shop-payments', 'shop-users'])
    // the secret is in the vault, never in a scale set model
    expect([...fake.state.secretValues.values()]).toContain(secret)
    for (const [, set] of fake.state.scaleSets) for (const [, model] of set.models) expect(model.customData).not.toContain(secret)

    const status = await run(['status', '--target', 'azure', '--json'])
    expect(status.exitCode, status.stderr).toBe(0)
    const rows = status.json().services as { service: string; desired: number; running: number; healthy: number; endpoint: string }[]
    expect(rows.find((row) => row.service === 'users')).toMatchObject({ desired: 2, running: 2, healthy: 2, endpoint: endpoints.users })
    expect(rows.find((row) => row.service === 'db')).toMatchObject({ endpoint: '10.42.15.254:5432 (private)' })

    expect((await run(['scale', 'users', '3', '--target', 'azure', '--json'])).exitCode).toBe(0)
    const outside = await run(['scale', 'users', '40', '--target', 'azure', '--json'])
    expect(outside.exitCode).toBe(2)
    expect(outside.json().error.message).toContain('outside the autoscale bounds of users (2..10)')

    const first = await run(['autoscale', 'apply', '--target', 'azure', '--json'])
    expect(first.exitCode, first.stderr).toBe(0)
    const second = await run(['autoscale', 'apply', '--target', 'azure', '--json'])
    expect(JSON.stringify(second.json())).not.toMatch(/"(created|updated|deleted)":\["/)

    const check = await run(['check', '--live', '--target', 'azure', '--format', 'json', '--fail-on', 'none'])
    expect(check.exitCode, check.stderr).toBe(0)
    expect(check.stderr).not.toContain('live checks for target azure skipped')

    const today = new Date().toISOString().slice(0, 10)
    await fake.control('POST', '/costs', { records: [
      { date: today, cost: 1.5, currency: 'USD', tags: { 'strato.project': 'shop', 'strato.service': 'users' } },
      { date: today, cost: 2.5, currency: 'USD', tags: { 'strato.project': 'shop', 'strato.service': 'orders' } },
      { date: today, cost: 99, currency: 'USD', tags: { 'strato.project': 'someone-else' } },
    ] })
    const cost = await run(['cost', 'actual', '--target', 'azure', '--json'])
    expect(cost.exitCode, cost.stderr).toBe(0)
    expect(JSON.stringify(cost.json())).toContain('orders')
    expect(JSON.stringify(cost.json())).not.toContain('someone-else')

    // a second release: a change to the users service's env
    const manifest = path.join(dir, 'strato.yaml')
    const doc = parseDocument(readFileSync(manifest, 'utf8'))
    doc.setIn(['services', 'users', 'env', 'LOG_LEVEL'], 'debug')
    writeFileSync(manifest, doc.toString())
    const redeploy = await run(['deploy', '--target', 'azure', '--yes', '--json'])
    expect(redeploy.exitCode, redeploy.stderr).toBe(0)
    const releases = await run(['releases', '--target', 'azure', '--json'])
    const history = releases.json().targets.azure as { number: number; services: Record<string, { version: string }> }[]
    expect(history.map((release) => release.number)).toEqual([1, 2])
    const rollback = await run(['rollback', '--target', 'azure', '--yes', '--json'])
    expect(rollback.exitCode, rollback.stderr).toBe(0)
    expect(rollback.json().targets.azure.release).toBe(3)
    const after = (await run(['releases', '--target', 'azure', '--json'])).json().targets.azure as { number: number; kind: string; services: Record<string, { version: string }> }[]
    expect(after.at(-1)!.kind).toBe('rollback to 1')
    expect(after.at(-1)!.services.users.version).toBe(history[0].services.users.version)

    const refused = await run(['status', '--target', 'azure', '--json'], { AZURE_CLIENT_SECRET: '' })
    expect(refused.exitCode).toBe(5)
    const gone = await run(['status', '--target', 'azure', '--json'], { AZURE_AUTHORITY_HOST: `https://127.0.0.1:${await freePort()}` })
    expect(gone.exitCode).toBe(4)

    const destroy = await run(['destroy', '--target', 'azure', '--yes', '--json'])
    expect(destroy.exitCode, destroy.stderr).toBe(0)
    expect(destroy.json().targets.azure.remaining).toEqual([])
    expect(destroy.json().targets.azure.removed).toMatchObject({ 'load balancer': 1, 'internal load balancer': 1, 'network security group': 2 })
    expect((await fake.control<{ resources: unknown[] }>('GET', '/state')).resources).toEqual([])
    expect(existsSync(dir)).toBe(true)
  })
})
