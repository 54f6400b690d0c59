/** Removing everything labelled with the project from a host; never anything else. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Progress } from '../../src/model.js'
import type { DockerHost } from './engine.js'
import { dockerArgv } from './argv.js'

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
  // Swarm services first, or the swarm would start their tasks again (not a manager: nothing to do).
  const services = await host.tryRun(dockerArgv.listServices(project))
  const swarmServices = services.ok ? services.stdout.split('\n').filter(Boolean) : []
  if (swarmServices.length) {
    progress.step(`removing ${swarmServices.length} swarm service${swarmServices.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(dockerArgv.removeServices(...swarmServices))
    for (let attempt = 0; attempt < 60 && (await ids(host, dockerArgv.listContainers(project, { filters: ['label=com.docker.swarm.service.id'] }))).length > 0; attempt++) await sleep(500)
  }
  const containers = await ids(host, dockerArgv.listContainers(project, { all: true }))
  if (containers.length) {
    progress.step(`removing ${containers.length} container${containers.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(dockerArgv.removeContainers(containers, { volumes: true }))
  }
  const networks = await ids(host, dockerArgv.listLabelled('network', project))
  if (networks.length) await host.run(dockerArgv.removeNetworks(networks))
  const images = await ids(host, dockerArgv.listLabelled('image', project))
  if (images.length) {
    progress.step(`removing ${images.length} image${images.length === 1 ? '' : 's'} on ${host.label}`)
    await host.run(dockerArgv.removeImages(images))
  }
  const volumes = withVolumes ? await ids(host, dockerArgv.listLabelled('volume', project)) : []
  if (volumes.length) await host.run(dockerArgv.removeVolumes(volumes))
  return { containers: containers.length + swarmServices.length, networks: networks.length, images: images.length, volumes: volumes.length }
}
