/**
 * Configuration comes from the environment only, so one image runs in every
 * environment and secrets (DB_PASSWORD) are never baked into code or images.
 */
export function loadConfig(env = process.env) {
  const missing = ['DATABASE_URL', 'DB_PASSWORD'].filter((name) => !env[name])
  if (missing.length > 0) throw new Error(`missing environment variables: ${missing.join(', ')}`)
  return {
    port: integer(env, 'PORT', 8080, 1, 65535),
    databaseUrl: env.DATABASE_URL,
    // Reads go to the replica when one is configured; writes always to the primary.
    replicaUrl: env.DATABASE_REPLICA_URL || undefined,
    dbPassword: env.DB_PASSWORD,
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 500),
    logLevel: env.LOG_LEVEL || 'info',
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 300000),
  }
}

function integer(env, name, fallback, min, max) {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
  }
  return value
}
