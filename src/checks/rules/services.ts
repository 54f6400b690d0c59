/**
 * Rules over service definitions (CMP-*), the same for a compose file and for
 * strato.yaml: both are normalised to a ServiceSpec first.
 */
import { defineRule, type Reference, type Rule } from '../types.js'
import type { ServiceSpec } from '../service-spec.js'
import { looksLikeReference, looksLikeSecretName, redact } from './secret-patterns.js'

const cisDocker = (id: string, title: string): Reference => ({ standard: 'CIS Docker Benchmark v1.6.0', id, title })

/** Ports of databases, caches and search engines that should never face every interface. */
export const DATABASE_PORTS: Record<number, string> = {
  5432: 'PostgreSQL', 3306: 'MySQL', 33060: 'MySQL X', 1433: 'SQL Server', 1521: 'Oracle', 27017: 'MongoDB',
  6379: 'Redis', 11211: 'Memcached', 9200: 'Elasticsearch', 9300: 'Elasticsearch', 5984: 'CouchDB',
  9042: 'Cassandra', 26257: 'CockroachDB', 8086: 'InfluxDB', 7687: 'Neo4j', 5672: 'RabbitMQ', 9092: 'Kafka', 2181: 'ZooKeeper',
}

const ALL_INTERFACES = new Set(['', '0.0.0.0', '::', '*'])
const DOCKER_SOCKETS = /(^|\/)(docker|podman|containerd)\.sock$/

const where = (service: ServiceSpec) => `Service ${service.name}`

export const serviceRules: Rule[] = [
  defineRule({
    id: 'CMP-001', pack: 'services', severity: 'critical', reads: ['service'],
    title: 'Privileged container',
    rationale: 'A privileged container has every capability and every host device: it is root on the host in all but name.',
    remediation: 'Remove `privileged: true`; grant only the capabilities the service needs with `cap_add`.',
    references: [cisDocker('5.4', 'Ensure that privileged containers are not used')],
    check({ service }) {
      return service.privileged?.value ? [{ line: service.privileged.line, message: `${where(service)} runs privileged.` }] : []
    },
  }),
  defineRule({
    id: 'CMP-002', pack: 'services', severity: 'high', reads: ['service'],
    title: 'Host network namespace shared',
    rationale: 'With the host network the container sees every host interface, can bind any host port and reach services listening on localhost.',
    remediation: 'Use a bridge network (the default) and publish only the ports the service needs.',
    references: [cisDocker('5.9', "Ensure that the host's network namespace is not shared")],
    check({ service }) {
      const mode = service.networkMode
      return mode && mode.value === 'host' ? [{ line: mode.line, message: `${where(service)} uses the host network.` }] : []
    },
  }),
  defineRule({
    id: 'CMP-003', pack: 'services', severity: 'critical', reads: ['service'],
    title: 'Docker socket mounted into a container',
    rationale: 'Whoever can talk to the Docker socket can start a privileged container with the host\'s root filesystem mounted: the socket is root on the host.',
    remediation: 'Do not mount the socket. If a tool must talk to the engine, put a filtering proxy in front of it, read-only and limited to the calls it needs.',
    references: [cisDocker('5.31', 'Ensure that the Docker socket is not mounted inside any containers')],
    check({ service }) {
      return service.mounts
        .filter((mount) => DOCKER_SOCKETS.test(mount.value.source) || DOCKER_SOCKETS.test(mount.value.target))
        .map((mount) => ({ line: mount.line, message: `${where(service)} mounts ${mount.value.source || mount.value.target}.` }))
    },
  }),
  defineRule({
    id: 'CMP-004', pack: 'services', severity: 'high', reads: ['service'],
    title: 'Database port published on all interfaces',
    rationale: 'A database port published without a host address listens on every interface of the host, and Docker\'s iptables rules bypass host firewalls such as ufw.',
    remediation: 'Publish on loopback only (`127.0.0.1:5432:5432`), or not at all: services on the same network reach the database by its service name.',
    references: [cisDocker('5.13', 'Ensure that incoming container traffic is bound to a specific host interface')],
    check({ service }) {
      return service.ports
        .filter((port) => DATABASE_PORTS[port.value.containerPort] !== undefined && ALL_INTERFACES.has(port.value.hostIp))
        .map((port) => ({
          line: port.line,
          message: `${where(service)} publishes ${DATABASE_PORTS[port.value.containerPort]} port ${port.value.containerPort} on all interfaces.`,
        }))
    },
  }),
  defineRule({
    id: 'CMP-005', pack: 'services', severity: 'high', reads: ['service'],
    title: 'Plaintext password in service environment',
    rationale: 'A password written into a compose file or strato.yaml is in the repository history for good, readable by everyone with read access.',
    remediation: 'In strato.yaml list the name under `secrets:` and supply the value from the environment or a secret store; in compose use `${VAR}` from an untracked .env or `secrets:`.',
    references: [],
    check({ service }) {
      return service.env
        .filter((env) => looksLikeSecretName(env.value.name) && env.value.value !== undefined && !looksLikeReference(env.value.value))
        .map((env) => ({ line: env.line, message: `${where(service)} sets ${env.value.name} to a literal value (${redact(env.value.value!)}).` }))
    },
  }),
  defineRule({
    id: 'CMP-006', pack: 'services', severity: 'medium', reads: ['service'],
    title: 'No memory limit',
    rationale: 'A service without a memory limit can take all of the host\'s memory, and the kernel\'s out-of-memory killer then picks a victim, maybe another service.',
    remediation: 'Set a limit: `resources: { memory: 256Mi }` in strato.yaml, `mem_limit` or `deploy.resources.limits.memory` in compose.',
    references: [cisDocker('5.10', 'Ensure that the memory usage for containers is limited')],
    check({ service }) {
      return service.memoryLimit ? [] : [{ line: service.line, message: `${where(service)} has no memory limit.` }]
    },
  }),
  defineRule({
    id: 'CMP-007', pack: 'services', severity: 'low', reads: ['service'],
    title: 'No restart policy',
    rationale: 'Without a restart policy a crashed container stays down until someone notices.',
    remediation: 'Set `restart: unless-stopped` (or `on-failure`).',
    references: [cisDocker('5.14', "Ensure that the 'on-failure' container restart policy is set to '5'")],
    check({ service }) {
      if (service.restart && service.restart.value !== 'no' && service.restart.value !== 'none') return []
      return [{ line: service.restart?.line ?? service.line, message: `${where(service)} has no restart policy.` }]
    },
  }),
  defineRule({
    id: 'CMP-008', pack: 'services', severity: 'low', reads: ['service'],
    title: 'No health check',
    rationale: 'Without a health check the engine and strato\'s rollouts cannot tell a hung service from a working one.',
    remediation: 'strato.yaml: `health: /healthz` on every service with a port. Compose: a `healthcheck:` with a test command. A service that speaks no HTTP (a database, a cache) has no health path: strato checks that its port accepts connections, which this rule cannot see, so `strato new` marks such services with a dated inline `strato:ignore CMP-008` saying so.',
    references: [cisDocker('5.26', 'Ensure that container health is checked at runtime')],
    check({ service }) {
      if (service.healthcheck === 'defined') return []
      if (service.source === 'manifest' && service.listenPort === undefined) return []
      const state = service.healthcheck === 'disabled' ? 'turns its health check off' : 'has no health check'
      return [{ line: service.line, message: `${where(service)} ${state}.` }]
    },
  }),
  defineRule({
    id: 'CMP-009', pack: 'services', severity: 'medium', reads: ['service'],
    title: 'Service runs as root by explicit choice',
    rationale: 'Setting the user to root overrides a non-root USER the image may have, undoing the image\'s hardening.',
    remediation: 'Remove `user: root`, or set an unprivileged uid such as `user: "10001"`.',
    references: [cisDocker('4.1', 'Ensure that a user for the container has been created')],
    check({ service }) {
      const user = service.user
      return user && /^(root|0)(:.*)?$/.test(user.value) ? [{ line: user.line, message: `${where(service)} sets user ${user.value}.` }] : []
    },
  }),
]
