// autoscale run --once against real container CPU: scales out under load and back in when idle.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDockerEngine, fixtureProject, get } from '../helpers/docker.js'
import { strato, stratoJson } from '../helpers/strato.js'

const project = fixtureProject('itauto', 18280)
project.setManifest(`name: itauto
services:
  web:
    build: ./app
    port: 3000
    health: /healthz
    resources: { cpu: 0.5, memory: 128Mi }
    autoscale: { min: 1, max: 3, target: { cpu: 30 }, cooldown: 0s }
loadBalancer: { port: 18280 }
`)
const options = { cwd: project.dir, env: project.env }

interface Decisions { decisions: { service: string; current: number; desired: number; action: string; reason: string }[] }
interface StatusJson { services: { running: number; healthy: number }[] }

describe('autoscale run --once on a docker target', () => {
  beforeAll(async () => {
    await ensureDockerEngine()
    const deployed = await strato(['deploy'], options)
    expect(deployed.exitCode, deployed.stderr).toBe(0)
  })

  afterAll(async () => {
    await strato(['destroy', '--yes'], options)
  })

  it('holds when idle, scales out under CPU load and back in when the load stops', async () => {
    const idle = await stratoJson<Decisions>(['autoscale', 'run', '--once'], options)
    expect(idle.decisions[0]).toMatchObject({ service: 'web', current: 1, desired: 1, action: 'hold' })

    await get(`http://127.0.0.1:${project.port}/burn?seconds=15`)
    await sleep(3000)
    const busy = await stratoJson<Decisions>(['autoscale', 'run', '--once'], options)
    expect(busy.decisions[0]).toMatchObject({ current: 1, action: 'scale-out' })
    expect(busy.decisions[0].desired).toBeGreaterThan(1)
    expect(busy.decisions[0].reason).toMatch(/^cpu \d+(\.\d)?% vs target 30%/)
    const scaled = await stratoJson<StatusJson>(['status'], options)
    expect(scaled.services[0].running).toBe(busy.decisions[0].desired)

    await sleep(14_000)
    const calm = await stratoJson<Decisions>(['autoscale', 'run', '--once'], options)
    expect(calm.decisions[0]).toMatchObject({ desired: 1, action: 'scale-in' })
    const after = await stratoJson<StatusJson>(['status'], options)
    expect(after.services[0]).toMatchObject({ running: 1, healthy: 1 })
  })

  it('prints a systemd unit that runs the controller permanently', async () => {
    const result = await strato(['autoscale', 'run', '--print-systemd', '--interval', '20'], options)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^ExecStart=.* autoscale run --interval 20$/m)
    expect(result.stdout).toContain(`WorkingDirectory=${project.dir}`)
  })
})
