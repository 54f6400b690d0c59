// mode: swarm on a single-node swarm: services as Swarm services behind strato's
// nginx (host-mode publishing), a health-gated update under load, a failing
// version rolled back by Swarm, and destroy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDockerEngine, fixtureProject, get, projectContainers, startLoad } from '../helpers/docker.js'
import { strato, stratoJson } from '../helpers/strato.js'

const project = fixtureProject('itswarm', 18480)
const options = { cwd: project.dir, env: project.env }
const url = `http://127.0.0.1:${project.port}/`
let initialised = false

describe('a docker target in swarm mode', () => {
  beforeAll(async () => {
    await ensureDockerEngine()
    if ((await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim() !== 'active') {
      await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1'])
      initialised = true
    }
    project.setManifest(`name: itswarm
services:
  web: { build: ./app, port: 3000, health: /healthz, replicas: 2 }
loadBalancer: { port: 18480 }
targets:
  cluster: { provider: docker, mode: swarm }
`)
  })

  afterAll(async () => {
    await strato(['destroy', '--yes'], options)
    if (initialised) await docker(['swarm', 'leave', '--force'], { reject: false })
  })

  it('deploys the service as a Swarm service and answers through the balancer', async () => {
    const result = await strato(['deploy'], options)
    expect(result.exitCode, result.stderr).toBe(0)
    expect(await docker(['service', 'ls', '--filter', 'label=strato.project=itswarm', '--format', '{{.Name}} {{.Replicas}}'])).toBe('strato-itswarm-web 2/2')
    expect((await get(url)).body).toMatch(/^v1 /)
    const plan = await stratoJson<{ actions: { kind: string }[] }>(['plan'], options)
    expect(plan.actions.map((action) => action.kind)).toEqual(['noop'])
  })

  it('updates under load without failed requests', async () => {
    project.setRelease('v2')
    const load = startLoad(url, 20)
    const result = await strato(['deploy'], options)
    const report = await load.stop()
    expect(result.exitCode, result.stderr).toBe(0)
    expect(report.failed, report.errors.slice(0, 5).join('; ')).toBe(0)
    expect((await get(url)).body).toMatch(/^v2 /)
  })

  it('lets Swarm roll a failing version back while the old one keeps answering', async () => {
    project.setRelease('broken')
    const result = await strato(['deploy', '--health-timeout', '20'], options)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('rolled it back')
    expect((await get(url)).body).toMatch(/^v2 /)
    project.setRelease('v2')
  })

  it('destroys the Swarm services and everything else of the project', async () => {
    const result = await stratoJson<{ targets: { cluster: { remaining: unknown[] } } }>(['destroy', '--yes'], options)
    expect(result.targets.cluster.remaining).toEqual([])
    expect(await docker(['service', 'ls', '--quiet', '--filter', 'label=strato.project=itswarm'])).toBe('')
    expect(await projectContainers('itswarm')).toEqual([])
  })
})
