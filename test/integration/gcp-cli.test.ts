/**
 * The built CLI on a gcp target, against the fake: `strato new shop --target gcp`,
 * then validate, deploy (the public services behind the HTTP balancer, the
 * database behind the internal one, its firewall open to the subnet only, every
 * container told where db is), a redeploy and a plan that change nothing, status, scale (and a
 * count outside the bounds, exit 2), autoscale apply twice, check --live, cost
 * actual from the billing export, a second release, rollback, destroy that
 * leaves nothing; refused credentials and a missing permission exit 5, an
 * endpoint that does not answer exits 4. Needs `npm run build` (npm test runs it first).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestFake, type TestFake } from '../helpers/gcp-fake.js'
import { strato as run, type CliResult } from '../helpers/strato.js'

const GCP_PROJECT = 'shop-prod'
const BILLING_TABLE = `${GCP_PROJECT}.billing.gcp_billing_export_v1`
const SERVICES = ['users', 'orders', 'payments', 'db']
const PUBLIC = ['users', 'orders', 'payments']
const REGION = `projects/${GCP_PROJECT}/regions/europe-west1`
let fake: TestFake
let work: string
let dir: string

/** The CLI with the fake's credentials; secrets come from the environment, made here. */
async function strato(args: string[], env: Record<string, string> = {}): Promise<CliResult & { json: () => any }> {
  const result = await run(args, {
    cwd: dir,
    env: { ...fake.env, HOME: work, STRATO_POLL_MS: '25', STRATO_MAX_ATTEMPTS: '3', DB_PASSWORD: `db-${process.pid}`, POSTGRES_PASSWORD: `pg-${process.pid}`, ...env },
  })
  return { ...result, json: () => JSON.parse(result.stdout) }
}

/** The scaffold builds its services from source; here they run images, and the target points at the fake. */
function pointAtFake(manifest: string): string {
  let text = manifest
  for (const service of ['users', 'orders', 'payments']) {
    text = text.replace(`build: ./services/${service}`, `image: europe-west1-docker.pkg.dev/${GCP_PROJECT}/shop/${service}:1.0.0`)
  }
  const target = /^ {4}machineType: e2-small$/m
  expect(text).toMatch(target)
  return text.replace(target, `    machineType: e2-small\n    endpoint: ${fake.endpoint}\n    billing: { dataset: billing, table: gcp_billing_export_v1 }`)
}

async function startupScript(template: string): Promise<string> {
  const body = await fake.compute<{ properties: { metadata: { items: { key: string; value: string }[] } } }>(`projects/${GCP_PROJECT}/global/instanceTemplates/${template}`)
  return body.properties.metadata.items.find((item) => item.key === 'startup-script')!.value
}

/** db is on the internal balancer alone, admitted from the subnet and the health checkers, and every container resolves it there. */
async function expectPrivateDb(internal: string): Promise<void> {
  const urlMap = await fake.compute(`projects/${GCP_PROJECT}/global/urlMaps/strato-shop-gcp-http`)
  expect(urlMap.pathMatchers[0].routeRules.map((rule: { matchRules: { prefixMatch: string }[] }) => rule.matchRules[0].prefixMatch)).toEqual(['/orders/', '/payments/', '/users/'])
  const state = await fake.state()
  expect(state[`projects/${GCP_PROJECT}/global/backendServices`]).toEqual(['strato-shop-orders', 'strato-shop-payments', 'strato-shop-users'])
  expect(state[`projects/${GCP_PROJECT}/global/forwardingRules`]).toEqual(['strato-shop-gcp-http'])
  expect(state[`${REGION}/forwardingRules`]).toEqual(['strato-shop-db'])
  const rule = await fake.compute(`${REGION}/forwardingRules/strato-shop-db`)
  expect(rule).toMatchObject({ loadBalancingScheme: 'INTERNAL', IPAddress: internal, IPProtocol: 'TCP', ports: ['5432'], allowGlobalAccess: false })
  expect(rule.subnetwork).toMatch(/\/regions\/europe-west1\/subnetworks\/default$/)
  expect(await fake.compute(`${REGION}/backendServices/strato-shop-db`)).toMatchObject({ loadBalancingScheme: 'INTERNAL', protocol: 'TCP', backends: [{ balancingMode: 'CONNECTION' }] })
  expect(await fake.compute(`${REGION}/healthChecks/strato-shop-db`)).toMatchObject({ type: 'TCP', tcpHealthCheck: { port: 5432 } })
  expect(await fake.compute(`${REGION}/addresses/strato-shop-gcp-internal`)).toMatchObject({
    address: internal, addressType: 'INTERNAL', purpose: 'SHARED_LOADBALANCER_VIP', status: 'IN_USE', users: [expect.stringMatching(/\/forwardingRules\/strato-shop-db$/)],
  })
  const firewall = await fake.compute(`projects/${GCP_PROJECT}/global/firewalls/strato-shop-db`)
  expect(firewall).toMatchObject({ sourceRanges: ['10.132.0.0/20', '35.191.0.0/16', '130.211.0.0/22'], allowed: [{ IPProtocol: 'tcp', ports: ['5432'] }], targetTags: ['strato-shop-db'] })
  for (const service of PUBLIC) {
    expect((await fake.compute(`projects/${GCP_PROJECT}/global/firewalls/strato-shop-${service}`)).sourceRanges).toEqual(['35.191.0.0/16', '130.211.0.0/22'])
  }
  const templates = state[`projects/${GCP_PROJECT}/global/instanceTemplates`]
  expect(templates).toHaveLength(4)
  for (const template of templates) expect(await startupScript(template)).toContain(`--add-host db:${internal} `)
}

beforeAll(async () => {
  fake = await startTestFake()
  work = mkdtempSync(path.join(tmpdir(), 'strato-gcp-cli-'))
  dir = path.join(work, 'shop')
  const created = await run(['new', 'shop', '--target', 'gcp', '--dir', dir, '--json'], { cwd: work, env: { HOME: work } })
  expect(created.exitCode, created.stderr).toBe(0)
  const manifest = path.join(dir, 'strato.yaml')
  expect(readFileSync(manifest, 'utf8')).toContain(`    provider: gcp\n    project: ${GCP_PROJECT}\n`)
  writeFileSync(manifest, pointAtFake(readFileSync(manifest, 'utf8')))
})

afterAll(async () => {
  await fake?.close()
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('strato CLI on a gcp target', () => {
  it('runs the scaffolded shop from deploy to destroy', async () => {
    expect((await strato(['validate'])).exitCode).toBe(0)

    const deploy = await strato(['deploy', '--target', 'gcp', '--yes', '--json'])
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    const endpoints = deploy.json().targets.gcp.endpoints
    expect(Object.keys(endpoints).sort()).toEqual([...SERVICES].sort())
    // one HTTP load balancer for the target: every public service behind the same address, on its own path
    const address = /^http:\/\/(34\.120\.\d+\.\d+)\/users\/$/.exec(endpoints.users)![1]
    for (const service of PUBLIC) expect(endpoints[service]).toBe(`http://${address}/${service}/`)
    // the database only on the internal balancer's reserved address, in the region's subnet (10.132.0.0/20)
    const internal = /^(10\.132\.\d+\.\d+):5432 \(private\)$/.exec(endpoints.db)![1]
    expect(deploy.stderr).toContain('they need Cloud NAT')
    await expectPrivateDb(internal)

    const again = await strato(['deploy', '--target', 'gcp', '--yes', '--json'])
    expect(again.json().actions.map((action: { kind: string }) => action.kind)).toEqual(['noop', 'noop', 'noop', 'noop'])
    const plan = await strato(['plan', '--target', 'gcp', '--json'])
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(plan.json().actions.map((action: { kind: string }) => action.kind)).toEqual(['noop', 'noop', 'noop', 'noop'])

    const status = await strato(['status', '--target', 'gcp', '--json'])
    expect(status.exitCode).toBe(0)
    // one row per service in the region: templates and the global balancer add no rows
    expect(status.json().services).toEqual(SERVICES.map((service) => expect.objectContaining({
      target: 'gcp', service, host: 'europe-west1', desired: service === 'db' ? 1 : 2, running: service === 'db' ? 1 : 2, healthy: service === 'db' ? 1 : 2,
      endpoint: service === 'db' ? `${internal}:5432 (private)` : `http://${address}/${service}/`,
    })))

    const scaled = await strato(['scale', 'users', '3', '--target', 'gcp', '--json'])
    expect(scaled.exitCode, scaled.stderr).toBe(0)
    expect((await strato(['status', '--target', 'gcp', '--json'])).json().services[0]).toMatchObject({ service: 'users', running: 3, healthy: 3 })
    const outside = await strato(['scale', 'users', '11', '--target', 'gcp', '--json'])
    expect(outside.exitCode).toBe(2)
    expect(outside.json().error.message).toBe('11 replicas is outside the autoscale bounds of users (2..10) on target "gcp".')

    const first = await strato(['autoscale', 'apply', '--target', 'gcp', '--json'])
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json().applied.map((entry: { service: string; changes: { created: string[] } }) => [entry.service, entry.changes.created]))
      .toEqual(['users', 'orders', 'payments'].map((service) => [service, [`autoscaler strato-shop-${service}`]]))
    const second = await strato(['autoscale', 'apply', '--target', 'gcp', '--json'])
    for (const entry of second.json().applied) expect(entry.changes).toMatchObject({ created: [], updated: [], deleted: [] })

    const check = await strato(['check', '--live', '--target', 'gcp', '--format', 'json', '--fail-on', 'none'])
    expect(check.exitCode, check.stderr).toBe(0)
    const messages = JSON.parse(check.stdout).findings.map((finding: { message: string }) => finding.message)
    // the GCP rules ran on the live facts: every instance's disk (3 users, 2 orders, 2 payments, 1 db) has Google-managed keys
    expect(messages.filter((message: string) => /^Disk strato-shop-users-\w+ uses Google-managed encryption keys\.$/.test(message))).toHaveLength(3)
    expect(messages.filter((message: string) => /^Disk strato-shop-\w+-\w+ uses Google-managed encryption keys\.$/.test(message))).toHaveLength(8)

    await fake.control('POST', 'billing', {
      table: BILLING_TABLE,
      rows: [
        { usage_start_time: '2026-11-02T06:00:00Z', cost: 3.2, currency: 'USD', labels: [{ key: 'strato-project', value: 'shop' }, { key: 'strato-service', value: 'users' }], credits: [{ amount: -0.2 }] },
        { usage_start_time: '2026-11-03T06:00:00Z', cost: 1.5, currency: 'USD', labels: [{ key: 'strato-project', value: 'shop' }, { key: 'strato-service', value: 'orders' }] },
        { usage_start_time: '2026-11-03T06:00:00Z', cost: 9, currency: 'USD', labels: [{ key: 'strato-project', value: 'another' }, { key: 'strato-service', value: 'users' }] },
      ],
    })
    const spend = await strato(['cost', 'actual', '--target', 'gcp', '--from', '2026-11-01', '--to', '2026-11-30', '--budget', '1000', '--json'])
    expect(spend.exitCode, spend.stderr).toBe(0)
    expect(spend.json().rows.map((row: { group: { service: string }; amounts: { BilledCost: number } }) => [row.group.service, row.amounts.BilledCost]))
      .toEqual([['orders', 1.5], ['users', 3]])

    const manifest = path.join(dir, 'strato.yaml')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'))
    const update = await strato(['deploy', '--target', 'gcp', '--yes', '--json'])
    expect(update.exitCode, update.stderr).toBe(0)
    const updated = update.json().actions.find((action: { service: string }) => action.service === 'users')
    expect(updated.kind).toBe('update')
    // the new version's containers find db at the same reserved address
    const templates = (await fake.state())[`projects/${GCP_PROJECT}/global/instanceTemplates`].filter((name) => name.startsWith('strato-shop-users-'))
    expect(templates).toHaveLength(2)
    for (const template of templates) expect(await startupScript(template)).toContain(`--add-host db:${internal} `)
    expect(update.json().targets.gcp.endpoints.db).toBe(`${internal}:5432 (private)`)
    const releases = (await strato(['releases', '--target', 'gcp', '--json'])).json().targets.gcp
    expect(releases.map((release: { number: number; by: string }) => [release.number, release.by])).toEqual([
      [1, 'strato-test@test-project.iam.gserviceaccount.com'], [2, 'strato-test@test-project.iam.gserviceaccount.com'],
    ])
    expect(releases[1].services.users.version).toBe(updated.toVersion)

    const rollback = await strato(['rollback', '--target', 'gcp', '--yes', '--json'])
    expect(rollback.exitCode, rollback.stderr).toBe(0)
    expect(rollback.json().targets.gcp.release).toBe(1)
    const back = (await strato(['status', '--target', 'gcp', '--json'])).json().services[0]
    expect(back).toMatchObject({ service: 'users', versions: [releases[0].services.users.version], healthy: back.running })

    const destroy = await strato(['destroy', '--target', 'gcp', '--yes', '--json'])
    expect(destroy.exitCode, destroy.stderr).toBe(0)
    expect(destroy.json().targets.gcp).toMatchObject({ removed: { group: 4, template: 5, network: 1 }, remaining: [] })
    expect(await fake.state()).toEqual({})
    expect((await strato(['status', '--target', 'gcp', '--json'])).json().services.map((row: { running: number }) => row.running)).toEqual([0, 0, 0, 0])
  })

  it('exits 5 when the credentials are refused, or a call lacks its permission, naming it', async () => {
    await fake.control('POST', 'credentials', { refuse: true })
    try {
      const refused = await strato(['status', '--target', 'gcp', '--json'])
      expect(refused.exitCode).toBe(5)
      expect(refused.json().error.message).toBe(`Google refused the credentials for target "gcp" (project ${GCP_PROJECT}).`)
    } finally {
      await fake.control('POST', 'credentials', { refuse: false })
    }
    await fake.faults({ kind: 'deny', permission: 'compute.instanceGroupManagers.list' })
    try {
      const denied = await strato(['status', '--target', 'gcp', '--json'])
      expect(denied.exitCode).toBe(5)
      expect(denied.json().error.message).toBe(`Permission denied: compute.instanceGroupManagers.list on target "gcp" (project ${GCP_PROJECT}) (calling regionInstanceGroupManagers.list).`)
    } finally {
      await fake.control('DELETE', 'faults')
    }
  })

  it('exits 4 when the endpoint does not answer', async () => {
    const manifest = path.join(dir, 'strato.yaml')
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(fake.endpoint, 'http://127.0.0.1:9'))
    const down = await strato(['status', '--target', 'gcp', '--json'], { STRATO_MAX_ATTEMPTS: '1' })
    expect(down.exitCode).toBe(4)
    expect(down.json().error.message).toContain('http://127.0.0.1:9')
  })
})
