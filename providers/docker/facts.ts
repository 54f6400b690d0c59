/** What the live checks read from a docker target: the daemon and the project's containers. */
import type { Fact } from '../../src/model.js'
import type { DockerHost } from './engine.js'
import type { ContainerInspect } from './inventory.js'

export async function daemonFact(host: DockerHost, target: string, hasTls: boolean): Promise<Fact> {
  const serverVersion = await host.probe()
  return {
    kind: 'docker.daemon',
    resource: host.address,
    target,
    data: { host: host.address, tcpWithoutTls: host.address.startsWith('tcp://') && !hasTls, listen: [host.address], serverVersion },
  }
}

export function containerFact(container: ContainerInspect, target: string): Fact {
  const ports = Object.entries(container.HostConfig.PortBindings ?? {}).flatMap(([containerPort, bindings]) =>
    (bindings ?? []).map((binding) => ({ hostIp: binding.HostIp, hostPort: Number(binding.HostPort), containerPort: Number(containerPort.split('/')[0]) })))
  const test = container.Config.Healthcheck?.Test ?? []
  return {
    kind: 'docker.container',
    resource: container.Id,
    target,
    data: {
      id: container.Id,
      name: container.Name.replace(/^\//, ''),
      image: container.Config.Image,
      user: container.Config.User ?? '',
      privileged: container.HostConfig.Privileged,
      networkMode: container.HostConfig.NetworkMode,
      mounts: (container.Mounts ?? []).map((mount) => ({ type: mount.Type, source: mount.Name ?? mount.Source, destination: mount.Destination, readOnly: !mount.RW })),
      memoryLimitBytes: container.HostConfig.Memory ?? 0,
      nanoCpus: container.HostConfig.NanoCpus ?? 0,
      restartPolicy: container.HostConfig.RestartPolicy?.Name ?? '',
      ports,
      hasHealthcheck: test.length > 0 && test[0] !== 'NONE',
      labels: container.Config.Labels ?? {},
    },
  }
}
