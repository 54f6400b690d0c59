// The docker provider end to end on the local engine: first deploy, no-op
// redeploy, rolling update under load, a failing version rolled back, scale,
// releases and rollback, the lock, bad input, and destroy leaving nothing.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDockerEngine, fixtureProject, get, projectContainers, startLoad } from '../helpers/docker.js'
import { cliBin, strato, stratoJson } from '../helpers/strato.js'

const project = fixtureProject('itdeploy', 18180)
const url = `http://127.0.0.1:${project.port}/`
const run = (args: string[]) => strato(args, { cwd: project.dir, env: project.env })

interface StatusJson { services: { service: string; running: number; healthy: number; versions: string[]; endpoint?: string }[] }

describe('docker provider: deploy, update, rollback, scale, destroy', () => {
  beforeAll(async () => {
    await ensureDockerEngine()
    await run(['destroy', '--yes'])
  })

  afterAll(async () => {
    await run(['destroy', '--yes'])
    await docker(['rm', '--force', 'strato-itdeploy-lock'], { reject: false })
  })

  it('deploys the first time and answers through the balancer', async () => {
    const result = await run(['deploy'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain(`http://127.0.0.1:${project.port}`)
    expect((await get(url)).body).toMatch(/^v1 from /)
    const status = await stratoJson<StatusJson>(['status'], { cwd: project.dir, env: project.env })
    expect(status.services[0]).toMatchObject({ service: 'web', running: 2, healthy: 2, endpoint: `http://127.0.0.1:${project.port}` })
    const labels = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Labels}}', (await projectContainers('itdeploy')).find((name) => name.includes('-web-'))!]))
    expect(labels).toMatchObject({ 'strato.project': 'itdeploy', 'strato.service': 'web' })
    expect(labels['strato.version']).toMatch(/^[0-9a-f]{12}$/)
  })

  it('shows logs and reports live facts for the checks', async () => {
    const logs = await run(['logs', 'web', '-n', '5'])
    expect(logs.exitCode, logs.stderr).toBe(0)
    expect(logs.stdout).toMatch(/strato-itdeploy-web-[0-9a-f]{12}-[0-9a-f]{6} \| v1 listening on 3000/)
    const { loadManifestFile } = await import('../../src/manifest/load.js')
    const { createProvider } = await import('../../providers/docker/index.js')
    const loaded = loadManifestFile(path.join(project.dir, 'strato.yaml'))
    const provider = createProvider({ manifest: loaded.manifest, targetName: 'local', target: { provider: 'docker' }, projectDir: project.dir, env: { ...process.env, ...project.env }, progress: { step() {}, done() {}, warn() {} } })
    const facts = await provider.facts()
    const daemon = facts.find((fact) => fact.kind === 'docker.daemon')
    expect(daemon?.data).toMatchObject({ host: 'unix:///var/run/docker.sock', tcpWithoutTls: false })
    const web = facts.filter((fact) => fact.kind === 'docker.container' && (fact.data.labels as Record<string, string>)['strato.service'] === 'web')
    expect(web).toHaveLength(2)
    expect(web[0].data).toMatchObject({ user: 'node', privileged: false, networkMode: 'strato-itdeploy', nanoCpus: 500_000_000, memoryLimitBytes: 128 * 1024 * 1024, restartPolicy: 'unless-stopped', hasHealthcheck: true })
    const balancer = facts.find((fact) => fact.kind === 'docker.container' && (fact.data.labels as Record<string, string>)['strato.role'] === 'balancer')
    expect(balancer?.data.ports).toEqual([{ hostIp: '127.0.0.1', hostPort: project.port, containerPort: project.port }])
  })

  it('changes nothing on a second deploy of the same manifest', async () => {
    const before = await projectContainers('itdeploy')
    const plan = await stratoJson<{ actions: { kind: string }[] }>(['plan'], { cwd: project.dir, env: project.env })
    expect(plan.actions.map((action) => action.kind)).toEqual(['noop'])
    const result = await run(['deploy'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('No changes')
    expect(await projectContainers('itdeploy')).toEqual(before)
  })

  it('rolls a new version out under load without a failed request', async () => {
    project.setRelease('v2')
    const plan = await stratoJson<{ actions: { kind: string }[] }>(['plan'], { cwd: project.dir, env: project.env })
    expect(plan.actions.map((action) => action.kind)).toEqual(['update'])
    const load = startLoad(url, 40)
    const result = await run(['deploy'])
    const report = await load.stop()
    expect(result.exitCode, result.stderr).toBe(0)
    expect(report.failed, report.errors.slice(0, 5).join('; ')).toBe(0)
    expect(report.ok).toBeGreaterThan(100)
    expect((await get(url)).body).toMatch(/^v2 /)
  })

  it('stops a failing version, keeps the old one answering, exits 1 with its logs', async () => {
    project.setRelease('broken')
    const load = startLoad(url, 20)
    const result = await run(['deploy', '--health-timeout', '6'])
    const report = await load.stop()
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('did not become healthy')
    expect(result.stderr).toContain('broken listening on 3000')
    expect(report.failed).toBe(0)
    expect((await get(url)).body).toMatch(/^v2 /)
    const status = await stratoJson<StatusJson>(['status'], { cwd: project.dir, env: project.env })
    expect(status.services[0]).toMatchObject({ running: 2, healthy: 2 })
    expect(status.services[0].versions).toHaveLength(1)
    project.setRelease('v2')
  })

  it('scales up and down through the balancer without dropping requests', async () => {
    const load = startLoad(url, 40)
    const up = await run(['scale', 'web', '3'])
    expect(up.exitCode, up.stderr).toBe(0)
    const upStatus = await stratoJson<StatusJson>(['status'], { cwd: project.dir, env: project.env })
    expect(upStatus.services[0]).toMatchObject({ running: 3, healthy: 3 })
    const down = await run(['scale', 'web', '1'])
    expect(down.exitCode, down.stderr).toBe(0)
    const report = await load.stop()
    expect(report.failed, report.errors.slice(0, 5).join('; ')).toBe(0)
    const downStatus = await stratoJson<StatusJson>(['status'], { cwd: project.dir, env: project.env })
    expect(downStatus.services[0]).toMatchObject({ running: 1, healthy: 1 })
  })

  it('lists releases from the engine and rolls back to the previous one', async () => {
    const releases = await stratoJson<{ targets: { local: { number: number; by: string; services: { web: { version: string; image: string } } }[] } }>(['releases'], { cwd: project.dir, env: project.env })
    const history = releases.targets.local
    expect(history.length).toBe(2)
    expect(history[1].services.web.image).toBe(`strato-itdeploy-web:${history[1].services.web.version}`)
    expect(history[1].by).toContain('@')
    const result = await run(['rollback', '--yes'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect((await get(url)).body).toMatch(/^v1 /)
    const after = await stratoJson<{ targets: { local: { kind: string }[] } }>(['releases'], { cwd: project.dir, env: project.env })
    expect(after.targets.local.at(-1)?.kind).toBe('rollback to 1')
  })

  it('refuses to deploy while another deploy holds the lock, and breaks it with --force-unlock', async () => {
    await docker(['create', '--name', 'strato-itdeploy-lock', '--label', 'strato.project=itdeploy', '--label', 'strato.role=lock', '--label', 'strato.deployed-by=someone@elsewhere', 'local/nginx:1', 'true'])
    const blocked = await run(['deploy'])
    expect(blocked.exitCode).toBe(6)
    expect(blocked.stderr).toContain('someone@elsewhere')
    expect(blocked.stderr).toContain('--force-unlock')
    expect((await get(url)).body).toMatch(/^v1 /)
    const forced = await run(['deploy', '--force-unlock'])
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect((await get(url)).body).toMatch(/^v2 /)
    expect(await projectContainers('itdeploy')).not.toContain('strato-itdeploy-lock')
  })

  it('gives bad input (unknown service, bad replicas, unreachable host, no image, no permission) a clear message and its own exit code, touching nothing', async () => {
    const before = await projectContainers('itdeploy')
    const unknown = await run(['scale', 'wbe', '2'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('did you mean "web"')
    for (const bad of ['-1', '1.5']) expect((await run(['scale', 'web', bad])).exitCode).toBe(2)
    const unreachable = await strato(['status', '-f', writeManifest('hosts: [unix:///tmp/strato-no-such.sock]')], { env: project.env })
    expect(unreachable.exitCode).toBe(4)
    expect(unreachable.stderr).toContain('cannot be reached')
    const noImage = await strato(['deploy', '-f', writeManifest('', '  other: { port: 80 }\n')], { env: project.env })
    expect(noImage.exitCode).toBe(2)
    expect(noImage.stderr).toContain('needs either build')
    const chmodded = writeManifest('')
    chmodSync(path.dirname(chmodded), 0o755)
    chmodSync(chmodded, 0o644)
    const denied = await execa('runuser', ['-u', 'nobody', '--', process.execPath, cliBin(), 'status', '-f', chmodded], { reject: false, env: { NO_COLOR: '1', CI: '1' } })
    expect(denied.exitCode).toBe(5)
    expect(denied.stderr).toContain('Permission denied')
    expect(await projectContainers('itdeploy')).toEqual(before)
  })

  it('reports a port already taken on the host as a conflict and starts nothing', async () => {
    const blocker: Server = createServer().listen(18190, '127.0.0.1')
    try {
      const other = fixtureProject('itport', 18190)
      const result = await strato(['deploy'], { cwd: other.dir, env: other.env })
      expect(result.exitCode).toBe(6)
      expect(result.stderr).toContain('already taken')
      expect((await projectContainers('itport')).filter((name) => name.includes('-web-'))).toEqual([])
      await strato(['destroy', '--yes'], { cwd: other.dir, env: other.env })
    } finally {
      blocker.close()
    }
  })

  it('destroys everything labelled with the project and never a container without labels', async () => {
    await docker(['create', '--name', 'strato-itdeploy-web-foreign', 'local/nginx:1', 'true'])
    try {
      const result = await stratoJson<{ targets: { local: { remaining: unknown[]; removed: { containers: number; images: number; networks: number } } } }>(['destroy', '--yes'], { cwd: project.dir, env: project.env })
      expect(result.targets.local.remaining).toEqual([])
      expect(result.targets.local.removed.networks).toBe(1)
      expect(result.targets.local.removed.images).toBeGreaterThanOrEqual(2)
      expect(await projectContainers('itdeploy')).toEqual([])
      expect(await docker(['image', 'ls', '--quiet', '--filter', 'label=strato.project=itdeploy'])).toBe('')
      expect(await docker(['ps', '--all', '--filter', 'name=strato-itdeploy-web-foreign', '--format', '{{.Names}}'])).toBe('strato-itdeploy-web-foreign')
    } finally {
      await docker(['rm', '--force', 'strato-itdeploy-web-foreign'], { reject: false })
    }
  })
})

function writeManifest(targetExtra: string, serviceExtra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-bad-'))
  const targets = targetExtra ? `targets:\n  local: { provider: docker, ${targetExtra} }\n` : ''
  writeFileSync(`${dir}/strato.yaml`, `name: itbad\nservices:\n  web: { image: "local/nginx:1", port: 80, health: / }\n${serviceExtra}${targets}`)
  return `${dir}/strato.yaml`
}
