/** Live rules over Docker hosts (DKH-*): read docker.daemon and docker.container facts. */
import { defineRule, type Reference, type Rule } from '../types.js'
import { DATABASE_PORTS } from './services.js'

const cisDocker = (id: string, title: string): Reference => ({ standard: 'CIS Docker Benchmark v1.6.0', id, title })
const ALL_INTERFACES = new Set(['', '0.0.0.0', '::'])
const DOCKER_SOCKETS = /(^|\/)(docker|podman|containerd)\.sock$/

export const dockerLiveRules: Rule[] = [
  defineRule({
    id: 'DKH-001', pack: 'docker', severity: 'critical', reads: ['docker.daemon'],
    title: 'Docker daemon on TCP without TLS',
    rationale: 'A daemon listening on TCP without TLS client verification gives root on the host to anyone who can reach the port.',
    remediation: 'Listen on the unix socket only and reach remote hosts over ssh:// (strato supports it), or configure tlsverify with client certificates.',
    references: [cisDocker('2.6', 'Ensure TLS authentication for Docker daemon is configured')],
    check({ data }) {
      if (!data.tcpWithoutTls) return []
      const tcp = data.listen.filter((address) => address.startsWith('tcp://'))
      return [{ message: `The daemon at ${data.host} listens on ${tcp.join(', ') || 'TCP'} without TLS verification.` }]
    },
  }),
  defineRule({
    id: 'DKH-002', pack: 'docker', severity: 'critical', reads: ['docker.container'],
    title: 'Privileged container running',
    rationale: 'A privileged container has every capability and host device: escaping it is trivial.',
    remediation: 'Recreate the container without --privileged (remove `privileged: true` from strato.yaml or compose), adding only the capabilities it needs.',
    references: [cisDocker('5.4', 'Ensure that privileged containers are not used')],
    check({ data }) {
      return data.privileged ? [{ message: `Container ${data.name} (${data.image}) runs privileged.` }] : []
    },
  }),
  defineRule({
    id: 'DKH-003', pack: 'docker', severity: 'medium', reads: ['docker.container'],
    title: 'Container running as root',
    rationale: 'The process runs as uid 0; if it escapes the container it is root on the host unless user namespaces are on.',
    remediation: 'Set USER in the image, or `user:` in strato.yaml, to an unprivileged uid.',
    references: [cisDocker('4.1', 'Ensure that a user for the container has been created')],
    check({ data }) {
      return data.user === '' || /^(root|0)(:.*)?$/.test(data.user) ? [{ message: `Container ${data.name} (${data.image}) runs as root.` }] : []
    },
  }),
  defineRule({
    id: 'DKH-004', pack: 'docker', severity: 'critical', reads: ['docker.container'],
    title: 'Docker socket mounted in a running container',
    rationale: 'The container can drive the engine, and so start a privileged container with the host\'s filesystem: it is root on the host.',
    remediation: 'Recreate the container without the socket mount, or behind a filtering, read-only socket proxy.',
    references: [cisDocker('5.31', 'Ensure that the Docker socket is not mounted inside any containers')],
    check({ data }) {
      return data.mounts
        .filter((mount) => DOCKER_SOCKETS.test(mount.source) || DOCKER_SOCKETS.test(mount.destination))
        .map((mount) => ({ message: `Container ${data.name} mounts ${mount.source} at ${mount.destination}${mount.readOnly ? ' (read-only, which does not limit API calls)' : ''}.` }))
    },
  }),
  defineRule({
    id: 'DKH-005', pack: 'docker', severity: 'medium', reads: ['docker.container'],
    title: 'Container without resource limits',
    rationale: 'A container without a memory or CPU limit can starve every other container on the host.',
    remediation: 'Set `resources: { cpu, memory }` in strato.yaml and redeploy; for other containers use --memory and --cpus.',
    references: [cisDocker('5.10', 'Ensure that the memory usage for containers is limited'), cisDocker('5.11', 'Ensure that CPU priority is set appropriately on containers')],
    check({ data }) {
      const missing = [data.memoryLimitBytes === 0 ? 'memory' : '', data.nanoCpus === 0 ? 'CPU' : ''].filter(Boolean)
      return missing.length ? [{ message: `Container ${data.name} has no ${missing.join(' or ')} limit.` }] : []
    },
  }),
  defineRule({
    id: 'DKH-006', pack: 'docker', severity: 'high', reads: ['docker.container'],
    title: 'Container on the host network',
    rationale: 'The container shares the host\'s network stack: it can bind any port and reach services that listen on localhost only.',
    remediation: 'Recreate it on a bridge network and publish only the ports it needs.',
    references: [cisDocker('5.9', "Ensure that the host's network namespace is not shared")],
    check({ data }) {
      return data.networkMode === 'host' ? [{ message: `Container ${data.name} uses the host network.` }] : []
    },
  }),
  defineRule({
    id: 'DKH-007', pack: 'docker', severity: 'high', reads: ['docker.container'],
    title: 'Database port published on all interfaces',
    rationale: 'The database answers on every host interface, and Docker\'s port forwarding bypasses host firewalls.',
    remediation: 'Republish on 127.0.0.1 or a private address, or drop the published port and use the container network.',
    references: [cisDocker('5.13', 'Ensure that incoming container traffic is bound to a specific host interface')],
    check({ data }) {
      return data.ports
        .filter((port) => DATABASE_PORTS[port.containerPort] !== undefined && ALL_INTERFACES.has(port.hostIp))
        .map((port) => ({ message: `Container ${data.name} publishes ${DATABASE_PORTS[port.containerPort]} (${port.containerPort}) on host port ${port.hostPort} on all interfaces.` }))
    },
  }),
]
