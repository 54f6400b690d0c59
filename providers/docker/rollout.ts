/**
 * A rollout over a docker target's hosts: probe the hosts (skipping the ones
 * that are down), take the lock, build images, then converge each service on
 * each host through the balancer, and record the release on the hosts.
 */
import { UserError } from '../../src/errors.js'
import type { DockerTargetConfig, Manifest } from '../../src/manifest/schema.js'
import type { ApplyResult, Progress } from '../../src/model.js'
import { spreadReplicas } from '../../src/planning/spread.js'
import { deployer } from '../deployer.js'
import type { ProviderContext, ProviderSettings } from '../provider.js'
import { Balancer, ensureNetwork, ensureVolumes } from './balancer.js'
import { dockerDescriptor } from './descriptor.js'
import { balancerPorts, DEFAULT_PUBLISH } from './endpoints.js'
import { DEFAULT_RETRY, DockerHost, type RetryPolicy } from './engine.js'
import { HostDeployment } from './host-deployment.js'
import { ensureOverlayNetwork, SwarmDeployment } from './swarm.js'
import { imageMapFrom, mapImage, type ImageMap } from '../image-map.js'
import { ensureServiceImage, imageExists } from './images.js'
import { acquireLock } from './lock.js'
import { listReleases, recordRelease, type Release } from './releases.js'
import { dockerArgv } from './argv.js'

/** The balancer's public image; an image map may point it at a local mirror. */
export const BALANCER_IMAGE = 'nginx:1.27-bookworm'

export interface TargetSession {
  context: ProviderContext
  manifest: Manifest
  project: string
  target: DockerTargetConfig
  hosts: DockerHost[]
  imageMap: ImageMap
}

export function openSession(context: ProviderContext, defaultHost: string): TargetSession {
  const target = context.target as DockerTargetConfig
  const addresses = target.hosts?.length ? target.hosts : [defaultHost]
  return {
    context,
    manifest: context.manifest,
    project: context.manifest.name,
    target,
    hosts: addresses.map((address) => new DockerHost(address, target.tls, context.env, retryOf(context.settings))),
    imageMap: imageMapFrom(context.settings?.imageMap),
  }
}

/** Retries of reads from the settings: --max-attempts tries in all, polling interval as the first delay. */
function retryOf(settings: ProviderSettings = {}): RetryPolicy {
  return { attempts: settings.maxAttempts ?? DEFAULT_RETRY.attempts, delayMs: settings.pollIntervalMs ?? DEFAULT_RETRY.delayMs }
}

/** The hosts that answer. A host that is down is reported and skipped; none answering is an error. */
export async function reachableHosts(session: TargetSession, progress: Progress): Promise<DockerHost[]> {
  const probes = await Promise.all(session.hosts.map(async (host) => ({ host, result: await host.probe().then(() => undefined, (error: Error) => error) })))
  const denied = probes.find(({ result }) => result instanceof UserError && result.options.code === 'denied')
  if (denied) throw denied.result
  const up = probes.filter(({ result }) => result === undefined).map(({ host }) => host)
  for (const { host, result } of probes) {
    if (result) progress.warn(`host ${host.label} is unreachable and skipped: ${result.message}`)
  }
  if (up.length === 0) {
    const first = probes[0].result!
    throw first instanceof UserError ? first : new UserError(`No host of target "${session.context.targetName}" answers: ${first.message}`, { code: 'unreachable', fix: 'Start dockerd on the hosts or fix their addresses in strato.yaml.' })
  }
  return up
}

export function balancerFor(session: TargetSession, host: DockerHost): Balancer {
  const ports = balancerPorts(session.manifest)
  const lb = session.manifest.loadBalancer
  return new Balancer(host, {
    project: session.project,
    image: mapImage(session.imageMap, BALANCER_IMAGE),
    publish: session.target.publish ?? DEFAULT_PUBLISH,
    services: Object.entries(ports).map(([name, listen]) => ({ name, listen, algorithm: lb?.algorithm ?? 'round-robin', hashOn: lb?.hashOn })),
    targetPorts: Object.fromEntries(Object.keys(ports).map((name) => [name, session.manifest.services[name].port!])),
    weights: Object.fromEntries(Object.keys(ports).map((name) => [name, session.manifest.services[name].weight ?? 1])),
  })
}

/**
 * Services in waves: each wave depends only on earlier ones, so a service
 * starts after what it depends on, and the services of one wave roll out in
 * parallel.
 */
export function deployWaves(manifest: Manifest, services: string[]): string[][] {
  const level = new Map<string, number>()
  const depth = (name: string, path: string[]): number => {
    if (level.has(name)) return level.get(name)!
    const dependencies = (manifest.services[name]?.dependsOn ?? []).filter((dependency) => services.includes(dependency) && !path.includes(dependency))
    const value = dependencies.length ? 1 + Math.max(...dependencies.map((dependency) => depth(dependency, [...path, name]))) : 0
    level.set(name, value)
    return value
  }
  const waves: string[][] = []
  for (const name of services) (waves[depth(name, [])] ??= []).push(name)
  return waves.filter(Boolean)
}

export interface ServiceRollout {
  service: string
  version: string
  /** total replicas on the target */
  replicas: number
  /** run this image instead of building (rollback) */
  image?: string
}

export interface RolloutOptions {
  forceUnlock: boolean
  kind: string
  /** leave no release record (scale, autoscale: the version does not change) */
  record: boolean
  command: string
}

export interface RolloutResult extends ApplyResult {
  skippedHosts: string[]
  release?: number
}

function surgeOf(settings: ProviderSettings = {}): number {
  const value = settings.surge ?? 1
  return Number.isInteger(value) && value >= 1 ? value : 1
}

function healthTimeoutMs(settings: ProviderSettings = {}): number {
  const seconds = settings.healthTimeoutSeconds ?? dockerDescriptor.rollout.healthTimeoutSeconds
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000
}

export async function rollOut(session: TargetSession, plans: ServiceRollout[], deletes: string[], options: RolloutOptions): Promise<RolloutResult> {
  const { progress } = session.context
  const hosts = await reachableHosts(session, progress)
  const skipped = new Set(session.hosts.filter((host) => !hosts.includes(host)).map((host) => host.address))
  const lbImage = mapImage(session.imageMap, BALANCER_IMAGE)
  for (const host of hosts) {
    if (!(await imageExists(host, lbImage))) {
      await host.tryRun(dockerArgv.pull(lbImage))
      if (!(await imageExists(host, lbImage))) {
        throw new UserError(`The balancer image ${lbImage} is not on ${host.label} and cannot be pulled.`, { code: 'failure', fix: `Load it on the host, or map ${BALANCER_IMAGE} to a local nginx image with --image-map.` })
      }
    }
  }
  const at = new Date().toISOString()
  const by = deployer(session.context.env)
  const unlock = await acquireLock(hosts[0], session.project, lbImage, { by, at, command: options.command }, options.forceUnlock)
  const warnings: string[] = []
  // A host that dies mid-deploy fails whatever docker call was running, with any message:
  // ask it again before deciding whether this is a dead host or a real failure.
  const markDown = async (host: DockerHost, error: unknown) => {
    const gone = error instanceof UserError ? error.options.code === 'unreachable' : await host.probe(5000).then(() => false, () => true)
    if (gone) {
      skipped.add(host.address)
      warnings.push(`host ${host.label} stopped answering and was skipped: ${(error as Error).message}`)
      progress.warn(warnings.at(-1)!)
      return
    }
    throw error
  }
  try {
    const swarm = session.target.mode === 'swarm'
    const deployments = new Map<DockerHost, HostDeployment | SwarmDeployment>()
    const images = new Map<string, string>()
    // In swarm mode the first host that answers is the manager: Swarm places the tasks.
    await Promise.all((swarm ? hosts.slice(0, 1) : hosts).map(async (host) => {
      try {
        const deployment = swarm
          ? new SwarmDeployment(host, balancerFor(session, host), { project: session.project, progress, healthTimeoutMs: healthTimeoutMs(session.context.settings), deployedBy: by, deployedAt: at, env: session.context.env })
          : new HostDeployment(host, balancerFor(session, host), {
            project: session.project, progress, healthTimeoutMs: healthTimeoutMs(session.context.settings), deployedBy: by, deployedAt: at, drainMs: 500, surge: surgeOf(session.context.settings),
          })
        await deployment.load()
        // Builds of different services are independent: run them together.
        await Promise.all(plans.map(async (plan) => {
          if (plan.image) {
            images.set(plan.service, plan.image)
            return
          }
          progress.step(`${plan.service}: image ${plan.version} on ${host.label}`)
          images.set(plan.service, await ensureServiceImage(host, {
            project: session.project, service: plan.service, version: plan.version, config: session.manifest.services[plan.service], projectDir: session.context.projectDir, imageMap: session.imageMap,
          }))
        }))
        await (swarm ? ensureOverlayNetwork(host, session.project) : ensureNetwork(host, session.project))
        await ensureVolumes(host, session.project, plans.flatMap((plan) => session.manifest.services[plan.service]?.volumes ?? []))
        await deployment.prepareBalancer()
        deployments.set(host, deployment)
      } catch (error) {
        await markDown(host, error)
      }
    }))
    const byName = new Map(plans.map((plan) => [plan.service, plan]))
    const rollService = async (service: string) => {
      const plan = byName.get(service)!
      const live = [...deployments.entries()].filter(([host]) => !skipped.has(host.address))
      const current = Object.fromEntries(live.map(([host, deployment]) => [host.address, deployment.countOf(service)]))
      const split = spreadReplicas(plan.replicas, live.map(([host]) => host.address), current)
      await Promise.all(live.map(async ([host, deployment]) => {
        try {
          await deployment.converge({ service, version: plan.version, image: images.get(service)!, count: split[host.address], config: session.manifest.services[service] })
        } catch (error) {
          await markDown(host, error)
        }
      }))
      progress.done(`${service}: ${plan.replicas} replica${plan.replicas === 1 ? '' : 's'} of ${plan.version}`)
    }
    for (const wave of deployWaves(session.manifest, plans.map((plan) => plan.service))) {
      // Every service of the wave finishes (or restores) before a failure is reported.
      const outcomes = await Promise.allSettled(wave.map(rollService))
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
      if (failed) throw failed.reason
    }
    for (const service of deletes) {
      for (const [host, deployment] of deployments) {
        if (skipped.has(host.address)) continue
        try {
          await deployment.removeService(service)
        } catch (error) {
          await markDown(host, error)
        }
      }
      progress.done(`${service}: removed`)
    }
    const endpoints: Record<string, string> = {}
    for (const [host, deployment] of deployments) {
      if (skipped.has(host.address)) continue
      for (const plan of plans) {
        const url = deployment.balancer.endpoint(plan.service)
        if (!url) continue
        endpoints[endpoints[plan.service] ? `${plan.service}@${host.label}` : plan.service] = url
      }
    }
    let release: number | undefined
    if (options.record) release = await recordOnHosts(session, hosts.filter((host) => !skipped.has(host.address)), lbImage, plans, images, { at, by, kind: options.kind })
    return { applied: [], endpoints, warnings, skippedHosts: [...skipped], release }
  } finally {
    await unlock()
  }
}

async function recordOnHosts(session: TargetSession, hosts: DockerHost[], image: string, plans: ServiceRollout[], images: Map<string, string>, meta: Pick<Release, 'at' | 'by' | 'kind'>): Promise<number> {
  const known = (await Promise.all(hosts.map((host) => listReleases(host, session.project)))).flat()
  const number = Math.max(0, ...known.map((release) => release.number)) + 1
  const services = Object.fromEntries(plans.map((plan) => [plan.service, { version: plan.version, image: images.get(plan.service) ?? '', replicas: plan.replicas }]))
  for (const host of hosts) await recordRelease(host, session.project, image, { ...meta, services }, number)
  return number
}
