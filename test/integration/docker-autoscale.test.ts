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

interface Decision { service: string; current: number; desired: number; action: string; reason: string }
interface Decisions { decisions: Decision[] }

/**
 * Runs one evaluation after another (each reads the engine's current CPU and may scale) until a decision
 * matches, or fails after two minutes with every decision seen. Between evaluations: `between`, then a short poll interval.
 */
async function evaluateUntil(what: string, done: (decision: Decision) => boolean, between?: () => Promise<void>): Promise<Decision> {
  const seen: Decision[] = []
  const deadline = Date.now() + 120_000
  for (;;) {
    const [decision] = (await stratoJson<Decisions>(['autoscale', 'run', '--once'], options)).decisions
    seen.push(decision)
    if (done(decision)) return decision
    if (Date.now() > deadline) throw new Error(`no ${what} within 120 s; decisions: ${seen.map((item) => `${item.action} ${item.current}->${item.desired} (${item.reason})`).join('; ')}`)
    await between?.()
    await sleep(1000)
  }
}
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

    // Load on, until stopped: the only replica burns CPU. Each evaluation reads the engine's CPU figures,
    // so evaluate until the controller sees the load and acts, not after a fixed pause.
    await get(`http://127.0.0.1:${project.port}/burn?seconds=600`)
    const busy = await evaluateUntil('a scale-out', (decision) => decision.action === 'scale-out')
    expect(busy).toMatchObject({ current: 1, action: 'scale-out' })
    expect(busy.desired).toBeGreaterThan(1)
    expect(busy.reason).toMatch(/^cpu \d+(\.\d)?% vs target 30%/)
    const scaled = await stratoJson<StatusJson>(['status'], options)
    expect(scaled.services[0].running).toBe(busy.desired)

    // Load off, explicitly, on every replica (the balancer spreads the requests), then evaluate until back at min.
    const rest = async () => { for (let call = 0; call < 8; call++) await get(`http://127.0.0.1:${project.port}/rest`) }
    await rest()
    const calm = await evaluateUntil('a scale-in to 1', (decision) => decision.desired === 1 && decision.current === 1, rest)
    expect(calm.desired).toBe(1)
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
