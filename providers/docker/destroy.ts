/** Removing everything labelled with the project from a host; never anything else. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Progress } from '../../src/model.js'
import type { DockerHost } from './engine.js'
import { projectFilter } from './naming.js'

export interface DestroyCounts {
  containers: number
  networks: number
  images: number
  volumes: number
}

async function ids(host: DockerHost, args: string[]): Promise<string[]> {
  return [...new Set((await host.run(args)).split('\n').filter(Boolean))]
}

export async function destroyOnHost(host: DockerHost, project: string, withVolumes: boolean, progress: Progress): Promise<DestroyCounts> {
  const filter = projectFilter(project)
  // Swarm services first, or the swarm would start their tasks again (not a manager: nothing to do).
  const services = await host.tryRun(['service', 'ls', '--quiet', ...filter])
  const swarmServices = services.ok ? services.stdout.split('\n').filter(Boolean) : []
  if (swarmServices.length) {
    progress.step(`removing ${swarmServices.length} swarm service${swarmServices.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(['service', 'rm', ...swarmServices])
    for (let attempt = 0; attempt < 60 && (await ids(host, ['ps', '--quiet', ...filter, '--filter', 'label=com.docker.swarm.service.id'])).length > 0; attempt++) await sleep(500)
  }
  const containers = await ids(host, ['ps', '--all', '--quiet', ...filter])
  if (containers.length) {
    progress.step(`removing ${containers.length} container${containers.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(['rm', '--force', '--volumes', ...containers])
  }
  const networks = await ids(host, ['network', 'ls', '--quiet', ...filter])
  if (networks.length) await host.run(['network', 'rm', ...networks])
  const images = await ids(host, ['image', 'ls', '--quiet', ...filter])
  if (images.length) {
    progress.step(`removing ${images.length} image${images.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(['image', 'rm', '--force', ...images])
  }
  const volumes = withVolumes ? await ids(host, ['volume', 'ls', '--quiet', ...filter]) : []
  if (volumes.length) await host.run(['volume', 'rm', '--force', ...volumes])
  return { containers: containers.length + swarmServices.length, networks: networks.length, images: images.length, volumes: volumes.length }
}
