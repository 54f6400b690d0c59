/**
 * Live checks against the real Docker engine: a container labelled as one of
 * the project's replicas, configured privileged with the engine's socket mounted
 * and no limits, must be reported by `strato check --live` with its container id.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const bin = path.resolve('bin/run.js')
const image = 'local/debian:bookworm'
const project = `chk${Date.now().toString(36)}`
let containerId = ''

async function ensureEngine(): Promise<void> {
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false })
  if (info.exitCode !== 0) await execa('bash', ['scripts/setup-docker.sh'], { stdio: 'inherit' })
  const present = await execa('docker', ['image', 'inspect', image], { reject: false })
  if (present.exitCode !== 0) await execa('bash', ['scripts/base-images.sh'], { stdio: 'inherit' })
}

beforeAll(async () => {
  await ensureEngine()
  // Created, not started: this engine runs inside a container that cannot grant a privileged one its
  // capabilities, and the live rules read the container's configuration, which is the same either way.
  const run = await execa('docker', [
    'create', '--name', `strato-${project}-web-1`,
    '--label', `strato.project=${project}`, '--label', 'strato.service=web', '--label', 'strato.role=replica',
    '--privileged', '--volume', '/var/run/docker.sock:/var/run/docker.sock:ro',
    image, 'sleep', '300',
  ])
  containerId = run.stdout.trim()
})

afterAll(async () => {
  if (containerId) await execa('docker', ['rm', '--force', containerId], { reject: false })
})

describe('strato check --live on a docker target', () => {
  it('reports the privileged, root, socket-mounting, unlimited container by id, and not the daemon on its unix socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-live-'))
    writeFileSync(path.join(dir, 'strato.yaml'), [
      `name: ${project}`,
      'services:',
      `  web: { image: "${image}", port: 8080, health: /healthz, restart: always, resources: { memory: 64Mi } }`,
      'targets:',
      '  local: { provider: docker, hosts: ["unix:///var/run/docker.sock"] }',
      '',
    ].join('\n'))
    const result = await execa(process.execPath, [bin, 'check', '--live', '--json'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } })
    expect(result.stderr).not.toMatch(/skipped/)
    const report = JSON.parse(result.stdout)
    const live = report.findings.filter((finding: { location: { kind: string } }) => finding.location.kind === 'resource')
    const byRule = (id: string) => live.filter((finding: { ruleId: string }) => finding.ruleId === id).map((finding: { location: { resource: string; target: string } }) => `${finding.location.target}/${finding.location.resource}`)
    for (const id of ['DKH-002', 'DKH-003', 'DKH-004', 'DKH-005']) expect(byRule(id)).toEqual([`local/${containerId}`])
    expect(byRule('DKH-001')).toEqual([])
    expect(report.summary.facts).toBe(2)
  })
})
