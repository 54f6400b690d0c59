/**
 * The pieces of the shop every generated file agrees on: images and their
 * pinned tags, ports, connection URLs and environment. strato.yaml,
 * compose.yaml, .env.example and the README are all rendered from this.
 */
import type { ShopOptions, ShopService } from './options.js'

export const SERVICE_PORT = 8080
export const LB_PORT = 8080
export const HASH_HEADER = 'X-User-Id'

/** Public images, pinned to a full version; the Dockerfiles take them through ARG BASE_IMAGE. */
export const IMAGES = {
  node: 'node:24.11.1-bookworm-slim',
  python: 'python:3.12.7-slim-bookworm',
  postgres: 'postgres:16.4-bookworm',
  mysql: 'mysql:8.4.3',
  redis: 'redis:7.4.1-bookworm',
  nginx: 'nginx:1.27.2-bookworm',
} as const

/** The local base images scripts/base-images.sh builds, for building without a registry. */
export const LOCAL_BASE_IMAGES = { node: 'local/node:24', python: 'local/python:3' } as const

/**
 * Numeric users the official images run their server as: containers start as
 * them instead of root (the images support it and their data folders allow it).
 */
const IMAGE_USERS = { postgres: '999:999', mysql: '999:999', redis: '999:999', nginx: '101:101' } as const

export interface DatabaseSpec {
  kind: 'postgres' | 'mysql'
  image: string
  port: number
  dataPath: string
  /** the user the services connect as, and the database they use */
  user: string
  database: string
  /** environment the database image needs, without the password */
  env: Record<string, string>
  /** the variable the image reads the app user's password from */
  passwordVariable: string
  /** the image's root password variable and the .env name it is read from, where the image insists on one */
  rootPassword?: { variable: string; from: string }
  healthcheck: string[]
  containerUser: string
  /** the image's own user by name: its uid differs between the official image (999) and images built from Debian packages */
  systemUser: string
  /**
   * The read replica's port: not the primary's, so the two can share one
   * address (the internal balancer of an aws or gcp target has one listener per port)
   */
  replicaPort: number
  /** the variable both the server and its client tools read their default port from */
  portVariable: string
  url(host: string, port?: number): string
}

export function databaseSpec(options: ShopOptions): DatabaseSpec {
  const database = options.name.replace(/-/g, '_')
  const user = 'app'
  if (options.db === 'postgres') {
    return {
      kind: 'postgres',
      image: IMAGES.postgres,
      port: 5432,
      dataPath: '/var/lib/postgresql/data',
      user,
      database,
      env: { POSTGRES_USER: user, POSTGRES_DB: database },
      passwordVariable: 'POSTGRES_PASSWORD',
      healthcheck: ['CMD', 'pg_isready', '--username', user, '--dbname', database],
      containerUser: IMAGE_USERS.postgres,
      systemUser: 'postgres',
      replicaPort: 5433,
      portVariable: 'PGPORT',
      url: (host, port = 5432) => `postgres://${user}@${host}:${port}/${database}`,
    }
  }
  return {
    kind: 'mysql',
    image: IMAGES.mysql,
    port: 3306,
    dataPath: '/var/lib/mysql',
    user,
    database,
    env: { MYSQL_USER: user, MYSQL_DATABASE: database, MYSQL_INITDB_SKIP_TZINFO: '1' },
    passwordVariable: 'MYSQL_PASSWORD',
    // The image needs a root password; the services never use it (they connect as the app user).
    rootPassword: { variable: 'MYSQL_ROOT_PASSWORD', from: 'DB_ROOT_PASSWORD' },
    healthcheck: ['CMD', 'mysqladmin', 'ping', '--host=127.0.0.1', '--silent'],
    containerUser: IMAGE_USERS.mysql,
    systemUser: 'mysql',
    replicaPort: 3307,
    portVariable: 'MYSQL_TCP_PORT',
    url: (host, port = 3306) => `mysql://${user}@${host}:${port}/${database}`,
  }
}

/** systemUser: the image's own user by name, as for the database: right for the official image (uid 999) and for images built from Debian's package. */
export const REDIS = { image: IMAGES.redis, port: 6379, containerUser: IMAGE_USERS.redis, systemUser: 'redis', url: 'redis://cache:6379/0' } as const
export const NGINX = { image: IMAGES.nginx, containerUser: IMAGE_USERS.nginx } as const

/** Host names inside the project network (compose service names, manifest service names). */
export const HOSTS = { db: 'db', replica: 'db-replica', cache: 'cache', lb: 'lb' } as const

/** The non-secret environment of one service; DB_PASSWORD (and REPLICATION_PASSWORD) come from outside. */
export function serviceEnv(options: ShopOptions, service: ShopService): Record<string, string> {
  const db = databaseSpec(options)
  const env: Record<string, string> = { LOG_LEVEL: 'info', PORT: String(SERVICE_PORT), DATABASE_URL: db.url(HOSTS.db) }
  if (options.readReplica) env.DATABASE_REPLICA_URL = db.url(HOSTS.replica, db.replicaPort)
  if (options.cache && service === 'users') env.REDIS_URL = REDIS.url
  return env
}

/** Where the load balancer routes each service. */
export function servicePath(service: ShopService): string {
  return `/${service}`
}

/** Traffic shares under the weighted algorithm: reads of users dominate a shop. */
export const SERVICE_WEIGHTS: Record<ShopService, number> = { users: 3, orders: 2, payments: 1 }
