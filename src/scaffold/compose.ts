/**
 * compose.yaml for running the shop on one machine: hardened by default (no
 * root, no privileges, read-only where possible, limits, health checks), with
 * the database published on 127.0.0.1 only and passwords interpolated from
 * the environment, never written down.
 */
import { stringify } from 'yaml'
import type { ShopOptions } from './options.js'
import { HOSTS, LB_PORT, NGINX, REDIS, SERVICE_PORT, databaseSpec, serviceEnv } from './stack.js'

type ComposeService = Record<string, unknown>

/** A value compose takes from .env or the environment, refusing to start without it. */
function required(name: string): string {
  return `\${${name}:?set ${name} in .env}`
}
const DB_PASSWORD = required('DB_PASSWORD')
const REPLICATION_PASSWORD = required('REPLICATION_PASSWORD')

const hardening = { security_opt: ['no-new-privileges:true'], cap_drop: ['ALL'] }

function limits(cpus: string, memory: string) {
  return { deploy: { resources: { limits: { cpus, memory } } } }
}

function serviceHealthcheck(runtime: ShopOptions['runtime']): string[] {
  const url = `http://127.0.0.1:${SERVICE_PORT}/healthz`
  return runtime === 'node'
    ? ['CMD', 'node', '-e', `fetch('${url}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`]
    : ['CMD', 'python3', '-c', `import urllib.request; urllib.request.urlopen('${url}', timeout=2)`]
}

export function shopCompose(options: ShopOptions): Record<string, unknown> {
  const db = databaseSpec(options)
  const services: Record<string, ComposeService> = {}
  const healthy = { condition: 'service_healthy' }

  for (const name of options.services) {
    const dependsOn: Record<string, unknown> = { [HOSTS.db]: healthy }
    if (options.readReplica) dependsOn[HOSTS.replica] = healthy
    if (options.cache && name === 'users') dependsOn[HOSTS.cache] = healthy
    services[name] = {
      build: { context: `./services/${name}` },
      image: `${options.name}/${name}:dev`,
      restart: 'unless-stopped',
      user: '1000:1000',
      read_only: true,
      tmpfs: ['/tmp'],
      ...hardening,
      environment: { ...serviceEnv(options, name), DB_PASSWORD },
      depends_on: dependsOn,
      // The same probe as the image's HEALTHCHECK, stated here so compose readers see it.
      healthcheck: { test: serviceHealthcheck(options.runtime), interval: '10s', timeout: '3s', retries: 3, start_period: '15s' },
      ...limits('0.50', '256M'),
    }
  }

  const dbEnvironment: Record<string, string> = { ...db.env, [db.passwordVariable]: DB_PASSWORD }
  if (db.rootPassword) dbEnvironment[db.rootPassword.variable] = required(db.rootPassword.from)
  const dbCommon = {
    restart: 'unless-stopped',
    user: db.containerUser,
    ...hardening,
    healthcheck: { test: db.healthcheck, interval: '5s', timeout: '3s', retries: 10, start_period: '20s' },
    ...limits('1.0', '1G'),
  }
  services[HOSTS.db] = {
    ...(options.readReplica
      ? { build: { context: './db' }, image: `${options.name}/db:dev`, environment: { ...dbEnvironment, DB_ROLE: 'primary', REPLICATION_PASSWORD } }
      : { image: db.image, environment: dbEnvironment }),
    ...dbCommon,
    ports: [`127.0.0.1:${db.port}:${db.port}`],
    volumes: [`db-data:${db.dataPath}`],
  }
  if (options.readReplica) {
    services[HOSTS.replica] = {
      build: { context: './db' },
      image: `${options.name}/db:dev`,
      environment: { ...dbEnvironment, DB_ROLE: 'replica', PRIMARY_HOST: HOSTS.db, [db.portVariable]: String(db.replicaPort), REPLICATION_PASSWORD },
      ...dbCommon,
      depends_on: { [HOSTS.db]: healthy },
      volumes: [`db-replica-data:${db.dataPath}`],
    }
  }
  if (options.cache) {
    services[HOSTS.cache] = {
      image: REDIS.image,
      restart: 'unless-stopped',
      user: REDIS.containerUser,
      read_only: true,
      ...hardening,
      // A cache: nothing to persist, so no snapshots to disk.
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 5 },
      ...limits('0.25', '128M'),
    }
  }
  services[HOSTS.lb] = {
    image: NGINX.image,
    restart: 'unless-stopped',
    user: NGINX.containerUser,
    read_only: true,
    tmpfs: ['/tmp'],
    ...hardening,
    ports: [`127.0.0.1:${LB_PORT}:${LB_PORT}`],
    volumes: ['./lb/nginx.conf:/etc/nginx/nginx.conf:ro'],
    depends_on: Object.fromEntries(options.services.map((name) => [name, healthy])),
    healthcheck: {
      test: ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${LB_PORT}`],
      interval: '10s',
      timeout: '3s',
      retries: 3,
    },
    ...limits('0.50', '128M'),
  }

  const volumes: Record<string, null> = { 'db-data': null }
  if (options.readReplica) volumes['db-replica-data'] = null
  return { services, volumes }
}

export function renderShopCompose(options: ShopOptions): string {
  // YAML 1.1 quoting: compose readers take a bare yes or no for a boolean.
  const body = stringify(shopCompose(options), { lineWidth: 0, nullStr: '', aliasDuplicateObjects: false, version: '1.1' })
  return `# Local development: \`docker compose up --build\` (set DB_PASSWORD in .env first, see .env.example).\n# Services listen on ${SERVICE_PORT} inside the network; the load balancer on 127.0.0.1:${LB_PORT}.\n${body}`
}
