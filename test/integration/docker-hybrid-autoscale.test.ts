// Hybrid bursting across two engines: load on the first target's replica overflows onto the
// second target (a second dockerd) and drains back from it when the load stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { ensureDockerEngine, fixtureProject, get, startSecondDaemon, type SecondDaemon } from '../helpers/docker.js'
import { strato, stratoJson } from '../helpers/strato.js'

const project = fixtureProject('ithybrid', 18480)
let second: SecondDaemon
const options = { cwd: project.dir, env: project.env }

interface Move { target: string; from?: number; to?: number; action: string; reason: string; error?: string }
interface RunJson { decisions: { service: string; current: number; desired: number; action: string; summary: string; targets: Move[] }[]; failed: Move[] }
interface StatusJson { services: { target: string; service: string; running: number; healthy: number }[] }

/** Runs one controller round after another until `done` holds for the decision, or fails after the deadline. */
async function runUntil(done: (run: RunJson) => boolean, what: string, deadlineMs = 180_000): Promise<RunJson[]> {
  const rounds: RunJson[] = []
  const until = Date.now() + deadlineMs
  while (Date.now() < until) {
    const run = await stratoJson<RunJson>(['autoscale', 'run', '--once'], options)
    rounds.push(run)
    if (done(run)) return rounds
    // docker stats needs a moment of new load to show it; the next round reads it again
    await sleep(1000)
  }
  throw new Error(`${what} did not happen within ${deadlineMs / 1000}s:\n${rounds.map((run) => run.decisions[0]?.summary).join('\n')}`)
}

const moveOf = (run: RunJson, target: string) => run.decisions[0].targets.find((move) => move.target === target)!

describe('hybrid autoscaling over two docker engines', () => {
  beforeAll(async () => {
    await ensureDockerEngine()
    second = await startSecondDaemon()
    project.setManifest(`name: ithybrid
services:
  web:
    build: ./app
    port: 3000
    health: /healthz
    resources: { cpu: 0.5, memory: 128Mi }
    autoscale: { min: 1, max: 3, target: { cpu: 30 }, cooldown: 0s }
loadBalancer: { port: 18480 }
targets:
  onprem: { provider: docker, hosts: [unix:///var/run/docker.sock] }
  burst: { provider: docker, hosts: [${second.address}] }
placement:
  - { target: onprem, max: 1 }
  - { target: burst, max: 2 }
`)
    const deployed = await strato(['deploy'], options)
    expect(deployed.exitCode, deployed.stderr).toBe(0)
  })

  afterAll(async () => {
    await get(`http://127.0.0.1:${project.port}/burn?seconds=0`).catch(() => undefined)
    await strato(['destroy', '--yes'], options)
    await second?.remove()
  })

  it('holds on-prem alone while it is idle', async () => {
    const idle = await stratoJson<RunJson>(['autoscale', 'run', '--once'], options)
    expect(idle.decisions[0]).toMatchObject({ service: 'web', current: 1, desired: 1, action: 'hold' })
    expect(moveOf(idle, 'burst')).toMatchObject({ from: 0, to: 0, action: 'hold' })
  })

  it('overflows onto the second engine under load and drains it first when the load stops', async () => {
    // The one on-prem replica burns a CPU until told to stop: load driven explicitly, through its balancer.
    await get(`http://127.0.0.1:${project.port}/burn?seconds=600`)
    const out = await runUntil((run) => (moveOf(run, 'burst').to ?? 0) > 0, 'an overflow onto burst')
    const burst = out[out.length - 1].decisions[0]
    expect(burst.action).toBe('scale-out')
    expect(burst.summary).toMatch(/^web 1 -> [23]: cpu \d+(\.\d)?% vs target 30%.*; onprem full at 1, burst 0 -> [12]$/)
    expect(moveOf(out[out.length - 1], 'burst').reason).toMatch(/^0 -> [12]: overflow: onprem full at 1/)
    const scaled = await stratoJson<StatusJson>(['status'], options)
    const onBurst = scaled.services.filter((row) => row.target === 'burst' && row.service === 'web')
    expect(onBurst.reduce((sum, row) => sum + row.healthy, 0)).toBe(moveOf(out[out.length - 1], 'burst').to)
    expect(await second.fetchInside(`http://127.0.0.1:${project.port}/`)).toMatch(/^v1 /)

    await get(`http://127.0.0.1:${project.port}/burn?seconds=0`)
    const back = await runUntil((run) => moveOf(run, 'burst').to === 0 && moveOf(run, 'burst').from! > 0, 'the drain of burst')
    const drained = back[back.length - 1]
    expect(drained.decisions[0].action).toBe('scale-in')
    expect(moveOf(drained, 'onprem')).toMatchObject({ from: 1, to: 1 })
    expect(moveOf(drained, 'burst').reason).toMatch(/drained first: filled last$/)
    expect(drained.failed).toEqual([])
    const after = await stratoJson<StatusJson>(['status'], options)
    expect(after.services.filter((row) => row.target === 'burst' && row.service === 'web').reduce((sum, row) => sum + row.running, 0)).toBe(0)
    expect(after.services.find((row) => row.target === 'onprem' && row.service === 'web')).toMatchObject({ running: 1, healthy: 1 })
  })
})
