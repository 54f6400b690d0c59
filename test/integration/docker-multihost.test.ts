// Two hosts in one target: replicas spread over both; a host killed mid-deploy
// is reported and skipped while the other one finishes the rollout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execa } from 'execa'
import { ensureDockerEngine, fixtureProject, get, startSecondDaemon, type SecondDaemon } from '../helpers/docker.js'
import { cliBin, strato, stratoJson } from '../helpers/strato.js'

const project = fixtureProject('ithosts', 18380)
let second: SecondDaemon
const options = { cwd: project.dir, env: project.env }

interface StatusJson { services: { host: string; running: number; healthy: number; versions: string[]; endpoint?: string }[] }

describe('a docker target with two hosts', () => {
  beforeAll(async () => {
    await ensureDockerEngine()
    second = await startSecondDaemon()
    project.setManifest(`name: ithosts
services:
  web:
    build: ./app
    port: 3000
    health: /healthz
    replicas: 4
loadBalancer: { port: 18380 }
targets:
  onprem: { provider: docker, hosts: [unix:///var/run/docker.sock, ${second.address}] }
`)
  })

  afterAll(async () => {
    if (!second) return
    await second.start()
    await strato(['destroy', '--yes'], options)
    await second.remove()
  })

  it('spreads replicas over both hosts, each behind its own balancer', async () => {
    const result = await strato(['deploy'], options)
    expect(result.exitCode, result.stderr).toBe(0)
    const status = await stratoJson<StatusJson>(['status'], options)
    expect(status.services.map((row) => [row.host, row.running, row.healthy])).toEqual([
      ['unix:///var/run/docker.sock', 2, 2],
      [second.address, 2, 2],
    ])
    expect((await get(`http://127.0.0.1:${project.port}/`)).body).toMatch(/^v1 /)
    expect(await second.fetchInside(`http://127.0.0.1:${project.port}/`)).toMatch(/^v1 /)
  })

  it('reports and skips a host that dies mid-deploy while the other one deploys', async () => {
    project.setRelease('v2')
    const deploy = execa(process.execPath, [cliBin(), 'deploy'], { cwd: project.dir, env: { ...project.env, NO_COLOR: '1', CI: '1' }, reject: false })
    let killed = false
    deploy.stderr?.on('data', (chunk: Buffer) => {
      if (!killed && chunk.toString().includes(`starting replica 1/2`) && chunk.toString().includes(second.address.replace('unix://', ''))) {
        killed = true
        void second.kill()
      }
    })
    const result = await deploy
    expect(killed).toBe(true)
    expect(result.exitCode, String(result.stderr)).toBe(0)
    expect(String(result.stderr)).toMatch(/host .*strato-d2.* (stopped answering|is unreachable) and was skipped/)
    expect((await get(`http://127.0.0.1:${project.port}/`)).body).toMatch(/^v2 /)
    const status = await stratoJson<StatusJson>(['status'], options)
    expect(status.services.find((row) => row.host === 'unix:///var/run/docker.sock')).toMatchObject({ running: 2, healthy: 2, versions: [expect.any(String)] })
    expect(status.services.find((row) => row.host.startsWith(second.address))?.host).toContain('(unreachable)')
  })
})
