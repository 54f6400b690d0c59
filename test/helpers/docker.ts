/**
 * What the docker integration tests share: a running engine with the local
 * base images (installed and built here when missing), fixture projects in
 * temp folders, and a load generator that counts failed requests.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { root } from './strato.js'

export const IMAGE_MAP = path.join(root, 'test/fixtures/docker/images.yaml')

export async function docker(args: string[], options: { reject?: boolean; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await execa('docker', args, { reject: options.reject ?? true, input: options.input, env: options.env })
  return result.stdout
}

/** Starts dockerd and builds the base images when they are missing (as CI does). */
export async function ensureDockerEngine(): Promise<void> {
  await execa('bash', [path.join(root, 'scripts/setup-docker.sh')], { stdio: 'inherit' })
  const have = await execa('docker', ['image', 'inspect', 'local/node:24', 'local/nginx:1'], { reject: false })
  if (have.exitCode !== 0) await execa('bash', [path.join(root, 'scripts/base-images.sh')], { stdio: 'inherit' })
}

export interface FixtureProject {
  dir: string
  name: string
  port: number
  /** replaces the text the fixture app answers with (changes its version) */
  setRelease(text: string): void
  /** rewrites strato.yaml */
  setManifest(text: string): void
  env: Record<string, string>
}

/** A copy of test/fixtures/docker with its own project name and balancer port. */
export function fixtureProject(name: string, port: number, manifestExtra = ''): FixtureProject {
  const dir = mkdtempSync(path.join(tmpdir(), `strato-${name}-`))
  cpSync(path.join(root, 'test/fixtures/docker'), dir, { recursive: true })
  const manifest = readFileSync(path.join(dir, 'strato.yaml'), 'utf8').replace('name: fixture', `name: ${name}`).replace('port: 18080', `port: ${port}`) + manifestExtra
  writeFileSync(path.join(dir, 'strato.yaml'), manifest)
  return {
    dir,
    name,
    port,
    setRelease: (text) => writeFileSync(path.join(dir, 'app/release.txt'), `${text}\n`),
    setManifest: (text) => writeFileSync(path.join(dir, 'strato.yaml'), text),
    env: { STRATO_IMAGE_MAP: IMAGE_MAP },
  }
}

export async function get(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  return { status: response.status, body: await response.text() }
}

export interface LoadReport {
  ok: number
  failed: number
  errors: string[]
  bodies: Set<string>
}

/** Sends requests at a fixed rate until stopped; every non-2xx or network error counts as failed. */
export function startLoad(url: string, perSecond: number): { stop(): Promise<LoadReport> } {
  const report: LoadReport = { ok: 0, failed: 0, errors: [], bodies: new Set() }
  const inFlight = new Set<Promise<void>>()
  let running = true
  const loop = (async () => {
    const interval = 1000 / perSecond
    let next = Date.now()
    while (running) {
      const request = get(url).then(
        ({ status, body }) => {
          if (status >= 200 && status < 300) {
            report.ok++
            report.bodies.add(body.split(' ')[0])
          } else {
            report.failed++
            report.errors.push(`HTTP ${status}`)
          }
        },
        (error: Error) => {
          report.failed++
          report.errors.push(error.message)
        },
      ).finally(() => inFlight.delete(request))
      inFlight.add(request)
      next += interval
      await sleep(Math.max(0, next - Date.now()))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await Promise.all(inFlight)
      return report
    },
  }
}

/** Container names of a project, from its labels. */
export async function projectContainers(project: string): Promise<string[]> {
  return (await docker(['ps', '--all', '--filter', `label=strato.project=${project}`, '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort()
}

export interface SecondDaemon {
  address: string
  /** runs a node script inside the daemon's network namespace (its published ports live there) */
  fetchInside(url: string): Promise<string>
  kill(): Promise<void>
  start(): Promise<void>
  /** stops it gracefully and removes its namespace and data */
  remove(): Promise<void>
}

/**
 * A second Docker engine on this machine, standing in for a second host: its
 * own data and exec roots and socket, in its own network namespace so its
 * published ports do not clash with the first engine's. Entered with nsenter,
 * not `ip netns exec`, which would remount /sys and hide the cgroups.
 */
export async function startSecondDaemon(dir = '/tmp/strato-d2', netns = 'strato2'): Promise<SecondDaemon> {
  const { mkdirSync, readFileSync: read, rmSync, existsSync } = await import('node:fs')
  const address = `unix://${dir}/docker.sock`
  const pidfile = `${dir}/docker.pid`
  mkdirSync(dir, { recursive: true })
  if (!existsSync(`/var/run/netns/${netns}`)) {
    await execa('ip', ['netns', 'add', netns])
    await execa('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up'])
  }
  const up = async () => (await execa('docker', ['--host', address, 'version', '--format', '{{.Server.Version}}'], { reject: false })).exitCode === 0
  const start = async () => {
    if (await up()) return
    const child = execa('nsenter', [`--net=/var/run/netns/${netns}`, 'dockerd', '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', pidfile, '--host', address], { detached: true, stdio: 'ignore', reject: false })
    // The daemon outlives this call: its promise is left pending on purpose.
    child.catch(() => undefined)
    for (let attempt = 0; attempt < 60 && !(await up()); attempt++) await sleep(500)
    if (!(await up())) throw new Error('the second dockerd did not start')
  }
  const pid = () => Number(read(pidfile, 'utf8'))
  await start()
  const images = ['local/node:24', 'local/nginx:1']
  const missing = (await execa('docker', ['--host', address, 'image', 'inspect', ...images], { reject: false })).exitCode !== 0
  // No registry: copy the base images over, as one would with docker save | docker load.
  if (missing) {
    const archive = `${dir}.images.tar`
    await execa('docker', ['save', '--output', archive, ...images])
    await execa('docker', ['--host', address, 'load', '--quiet', '--input', archive])
    rmSync(archive, { force: true })
  }
  return {
    address,
    start,
    async fetchInside(url) {
      const script = `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(e.message); process.exit(1) })`
      return (await execa('nsenter', [`--net=/var/run/netns/${netns}`, process.execPath, '-e', script])).stdout
    },
    async kill() {
      process.kill(pid(), 'SIGKILL')
      for (let attempt = 0; attempt < 20 && (await up()); attempt++) await sleep(250)
    },
    async remove() {
      if (await up()) {
        const id = pid()
        process.kill(id, 'SIGTERM')
        for (let attempt = 0; attempt < 80; attempt++) {
          try { process.kill(id, 0) } catch { break }
          await sleep(250)
        }
      }
      await execa('ip', ['netns', 'delete', netns], { reject: false })
      // dockerd bind-mounts its roots onto themselves; unmount before removing
      for (const root of ['exec', 'data']) await execa('umount', ['--recursive', '--lazy', `${dir}/${root}`], { reject: false })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
