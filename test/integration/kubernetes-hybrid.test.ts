/**
 * Hybrid placement from the CLI: Docker on-prem first (up to 2 replicas),
 * kubernetes for the overflow. One deploy places replicas on both; scale moves
 * only the overflow; destroy clears both. Uses the Docker engine (run under
 * the engine lock) and the Kubernetes test cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useCluster, type TestCluster } from '../helpers/cluster.js'
import { freePort } from '../helpers/moto.js'
import { docker, ensureDockerEngine, get, IMAGE_MAP } from '../helpers/docker.js'
import { root, strato, stratoJson } from '../helpers/strato.js'

const project = `hybrid-${process.pid}`
const image = `strato-test/${project}:1`
let cluster: TestCluster
let dir: string
let port: number
// the balancer's public nginx image maps to the local one built from Debian
const env = { STRATO_IMAGE_MAP: IMAGE_MAP }

interface StatusRow { target: string; service: string; running: number; healthy: number }

beforeAll(async () => {
  await ensureDockerEngine()
  cluster = await useCluster()
  // One image for both targets: the docker engine runs it; kwok's nodes only need its name.
  await docker(['build', '--quiet', '--build-arg', 'BASE_IMAGE=local/node:24', '--tag', image, path.join(root, 'test/fixtures/docker/app')])
  port = await freePort()
  dir = mkdtempSync(path.join(tmpdir(), 'strato-hybrid-'))
  writeFileSync(path.join(dir, 'strato.yaml'), `name: ${project}
services:
  web:
    image: ${image}
    port: 3000
    health: /healthz
    replicas: 3
    resources: { cpu: 0.25, memory: 128Mi }
loadBalancer: { algorithm: least-conn, port: ${port} }
targets:
  onprem: { provider: docker }
  k8s: { provider: kubernetes, namespace: ${project}, kubeconfig: ${cluster.kubeconfig} }
placement:
  - { target: onprem, max: 2 }
  - { target: k8s }
`)
})

afterAll(async () => {
  if (dir) {
    await strato(['destroy', '--yes'], { cwd: dir, env })
    rmSync(dir, { recursive: true, force: true })
  }
  await docker(['image', 'rm', '--force', image], { reject: false })
  await cluster?.stop()
})

const byTarget = (rows: StatusRow[]) => Object.fromEntries(rows.map((row) => [row.target, row.running]))

describe('hybrid placement: docker on-prem first, kubernetes overflow', () => {
  it('places the first replicas on docker and the overflow on kubernetes', async () => {
    const deploy = await strato(['deploy', '--yes'], { cwd: dir, env })
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    const status = await stratoJson<{ services: StatusRow[] }>(['status'], { cwd: dir, env })
    expect(byTarget(status.services)).toEqual({ onprem: 2, k8s: 1 })
    expect(status.services.every((row) => row.healthy === row.running)).toBe(true)
    expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })

  it('scales the overflow on kubernetes and keeps docker at its cap', async () => {
    const scale = await strato(['scale', 'web', '5'], { cwd: dir, env })
    expect(scale.exitCode, scale.stderr).toBe(0)
    const status = await stratoJson<{ services: StatusRow[] }>(['status'], { cwd: dir, env })
    expect(byTarget(status.services)).toEqual({ onprem: 2, k8s: 3 })
  })

  it('destroys the project on both targets', async () => {
    const result = await stratoJson<{ targets: Record<string, { remaining: unknown[] }> }>(['destroy', '--yes'], { cwd: dir, env })
    expect(result.targets.onprem.remaining).toEqual([])
    expect(result.targets.k8s.remaining).toEqual([])
  })
})
