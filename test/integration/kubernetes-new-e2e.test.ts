/**
 * `strato new shop --target kubernetes`, then the whole life cycle from the
 * CLI against the test cluster: the three services are built on the local
 * engine and pushed to a local registry (Debian's docker-registry), deployed
 * with the database, then status, scale, autoscale apply, a second release,
 * releases, rollback, live checks, cost and destroy. Uses the Docker engine
 * (run under the engine lock).
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { eventually, useCluster, type TestCluster } from '../helpers/cluster.js'
import { freePort } from '../helpers/moto.js'
import { ensureDockerEngine, IMAGE_MAP } from '../helpers/docker.js'
import { strato, stratoJson } from '../helpers/strato.js'

const HOST_CA = '/etc/ssl/certs/ca-certificates.crt'
const work = mkdtempSync(path.join(tmpdir(), 'strato-k8s-shop-'))
const dir = path.join(work, 'shop')
const namespace = `shop-e2e-${process.pid}`
// Secret values exist only in this process; strato must put them in Secrets, nowhere else.
const env: Record<string, string> = { DB_PASSWORD: `db-${process.pid}-${Date.now()}`, POSTGRES_PASSWORD: `pg-${process.pid}-${Date.now()}`, STRATO_IMAGE_MAP: IMAGE_MAP }
let cluster: TestCluster
let registry: ResultPromise | undefined
let registryPort: number

/** Debian's docker-registry on a local port: the engine pushes to 127.0.0.1 without TLS (a loopback registry is trusted). */
async function startRegistry(): Promise<void> {
  registryPort = await freePort()
  const config = path.join(work, 'registry.yml')
  writeFileSync(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(work, 'registry')}\nhttp:\n  addr: 127.0.0.1:${registryPort}\n`)
  registry = execa('docker-registry', ['serve', config], { reject: false, cleanup: true, stdio: 'ignore' })
  await eventually('the local registry', async () => (await fetch(`http://127.0.0.1:${registryPort}/v2/`).catch(() => undefined))?.ok === true, 30_000)
}

const run = (args: string[]) => strato(args, { cwd: dir, env })
const json = <T>(args: string[]) => stratoJson<T>(args, { cwd: dir, env })

interface StatusRow { service: string; running: number; healthy: number; versions: string[] }

beforeAll(async () => {
  await ensureDockerEngine()
  cluster = await useCluster()
  await startRegistry()
})

afterAll(async () => {
  await strato(['destroy', '--yes'], { cwd: dir, env }).catch(() => undefined)
  registry?.kill()
  await registry
  await cluster?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('strato new shop --target kubernetes, then its life cycle on the cluster', () => {
  it('scaffolds a shop whose strato.yaml targets kubernetes and validates', async () => {
    const created = await stratoJson<{ dir: string; options: { targets: string[] } }>(['new', 'shop', '--dir', dir, '--target', 'kubernetes'])
    expect(created.options.targets).toEqual(['kubernetes'])
    // The cluster this test runs against, and a registry it can push to.
    const manifest = parseDocument(readFileSync(path.join(dir, 'strato.yaml'), 'utf8'))
    expect(manifest.getIn(['targets', 'k8s', 'provider'])).toBe('kubernetes')
    manifest.setIn(['targets', 'k8s', 'namespace'], namespace)
    manifest.setIn(['targets', 'k8s', 'kubeconfig'], cluster.kubeconfig)
    manifest.setIn(['targets', 'k8s', 'registry'], `127.0.0.1:${registryPort}/e2e`)
    manifest.setIn(['targets', 'k8s', 'cost'], { monthly: 200 })
    writeFileSync(path.join(dir, 'strato.yaml'), manifest.toString())
    // npm installs inside the image build trust the host's CA bundle (certs/ in each service)
    for (const service of readdirSync(path.join(dir, 'services'))) copyFileSync(HOST_CA, path.join(dir, 'services', service, 'certs/host-ca.pem'))
    const validate = await run(['validate'])
    expect(validate.exitCode, validate.stderr).toBe(0)
  })

  it('builds, pushes and deploys every service with its database', async () => {
    const deploy = await run(['deploy', '--yes'])
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    const tags = await (await fetch(`http://127.0.0.1:${registryPort}/v2/e2e/shop-users/tags/list`)).json() as { tags: string[] }
    expect(tags.tags).toHaveLength(1)
    const status = await json<{ services: StatusRow[] }>(['status'])
    expect(Object.fromEntries(status.services.map((row) => [row.service, [row.running, row.healthy]]))).toEqual({ users: [2, 2], orders: [2, 2], payments: [2, 2], db: [1, 1] })
    expect(deploy.stdout + deploy.stderr).not.toContain(env.DB_PASSWORD)
  })

  it('scales a service and applies the autoscalers', async () => {
    const scale = await run(['scale', 'orders', '3'])
    expect(scale.exitCode, scale.stderr).toBe(0)
    const applied = await json<{ applied: { service: string }[] }>(['autoscale', 'apply', '--target', 'k8s'])
    expect(applied.applied.map((entry) => entry.service).sort()).toEqual(['orders', 'payments', 'users'])
  })

  it('deploys a second release and rolls back to the first', async () => {
    const before = (await json<{ services: StatusRow[] }>(['status'])).services.find((row) => row.service === 'users')!.versions
    writeFileSync(path.join(dir, 'services/users/src/release.js'), 'export const RELEASE = 2\n')
    const deploy = await run(['deploy', '--yes'])
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    const releases = await json<{ targets: Record<string, { number: number }[]> }>(['releases'])
    expect(releases.targets.k8s).toHaveLength(2)
    const rollback = await run(['rollback', '--yes'])
    expect(rollback.exitCode, rollback.stderr).toBe(0)
    const after = (await json<{ services: StatusRow[] }>(['status'])).services.find((row) => row.service === 'users')!.versions
    expect(after).toEqual(before)
  })

  it('passes the live KUB rules on what strato deployed, except the NetworkPolicy it does not write', async () => {
    const check = await run(['check', '--live', '--target', 'k8s', '--format', 'json', '--fail-on', 'none'])
    expect(check.exitCode, check.stderr).toBe(0)
    const kub = (JSON.parse(check.stdout) as { findings: { ruleId: string }[] }).findings.filter((finding) => finding.ruleId.startsWith('KUB-'))
    expect([...new Set(kub.map((finding) => finding.ruleId))]).toEqual(['KUB-008'])
  })

  it('reports the actual cost per service and destroys everything', async () => {
    const cost = await json<{ rows: { group: { service: string } }[] }>(['cost', 'actual', '--target', 'k8s'])
    expect(new Set(cost.rows.map((row) => row.group.service))).toEqual(new Set(['users', 'orders', 'payments', 'db']))
    const destroy = await json<{ targets: Record<string, { remaining: unknown[] }> }>(['destroy', '--yes'])
    expect(destroy.targets.k8s.remaining).toEqual([])
  })
})
