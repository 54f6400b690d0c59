/**
 * strato's own containers pass strato's own rules: the starter shop that
 * `strato new` writes is deployed on the local engine, then `strato check
 * --live` reads the running containers (strato's nginx balancer included) and
 * the project's files, and reports nothing that is not suppressed with a
 * dated reason.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDockerEngine, IMAGE_MAP } from '../helpers/docker.js'
import { root, strato, stratoJson } from '../helpers/strato.js'

const project = `lchk${Date.now().toString(36)}`
const dir = path.join(mkdtempSync(path.join(tmpdir(), 'strato-live-starter-')), project)
// A password made at run time: the database needs one, and none may be written in the repository.
const password = randomBytes(12).toString('base64url')
const env = { STRATO_IMAGE_MAP: IMAGE_MAP, DB_PASSWORD: password, POSTGRES_PASSWORD: password }

interface Finding { ruleId: string; severity: string; message: string; location: { kind: string; path?: string; resource?: string }; suppressed?: { reason: string; until?: string } }
interface Report { findings: Finding[]; suppressed: Finding[]; summary: { facts: number } }

beforeAll(async () => {
  await ensureDockerEngine()
  // The database stand-in must be the version that runs as its own user, like the official image.
  await execa('bash', [path.join(root, 'scripts/base-images.sh')], { stdio: 'inherit' })
  const made = await strato(['new', project, '--dir', dir])
  expect(made.exitCode, made.stderr).toBe(0)
  // A port of its own, so the balancer does not collide with other deployments on this engine.
  const manifest = path.join(dir, 'strato.yaml')
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^loadBalancer:\n/m, 'loadBalancer:\n  port: 18390\n'))
  // The builds install npm packages through this machine's TLS-inspecting egress: trust its CA (certs/ is the place for it).
  for (const service of readdirSync(path.join(dir, 'services'))) copyFileSync('/etc/ssl/certs/ca-certificates.crt', path.join(dir, 'services', service, 'certs/host-ca.pem'))
  const deployed = await strato(['deploy', '--yes'], { cwd: dir, env })
  expect(deployed.exitCode, `${deployed.stderr}\n${deployed.stdout}`).toBe(0)
})

afterAll(async () => {
  await strato(['destroy', '--yes', '--volumes'], { cwd: dir, env })
})

describe('strato check --live on the deployed starter shop', () => {
  it('runs strato\'s balancer as an unprivileged user with memory and CPU limits', async () => {
    const [balancer] = JSON.parse(await docker(['inspect', `strato-${project}-lb`])) as { Config: { User: string }; HostConfig: { Memory: number; NanoCpus: number } }[]
    expect(balancer.Config.User).toBe('101:101')
    expect(balancer.HostConfig.Memory).toBeGreaterThan(0)
    expect(balancer.HostConfig.NanoCpus).toBeGreaterThan(0)
    const status = await stratoJson<{ services: { service: string; endpoint?: string }[] }>(['status'], { cwd: dir, env })
    const endpoint = status.services.find((row) => row.service === 'users')?.endpoint
    expect(endpoint).toBeDefined()
    expect((await fetch(`${endpoint}/healthz`)).status).toBe(200)
  })

  it('reports nothing but dated, reasoned suppressions, for the files and the running containers', async () => {
    const result = await strato(['check', '--live', '--json'], { cwd: dir, env })
    const report = JSON.parse(result.stdout) as Report
    expect(report.summary.facts).toBeGreaterThan(4)
    expect(report.findings.map((finding) => `${finding.ruleId} ${finding.location.path ?? finding.location.resource}: ${finding.message}`)).toEqual([])
    for (const finding of report.suppressed) {
      expect(finding.suppressed?.reason.length, finding.ruleId).toBeGreaterThan(20)
      expect(finding.suppressed?.until, finding.ruleId).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    expect(result.exitCode).toBe(0)
  })
})
