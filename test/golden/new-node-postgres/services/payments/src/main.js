/** Wires configuration, database, routes and server together; the only file with side effects at start. */
import { loadConfig } from './config.js'
import { createDatabase } from './db.js'
import { createHandler } from './http.js'
import { createLogger } from './log.js'
import { createMetrics } from './metrics.js'
import { createRepository } from './repository.js'
import { createRoutes } from './routes.js'
import { migrate } from './schema.js'
import { startServer } from './server.js'

const SERVICE = 'payments'

async function main() {
  const config = loadConfig()
  const log = createLogger({ service: SERVICE, level: config.logLevel })
  const primary = await createDatabase({ url: config.databaseUrl, password: config.dbPassword, poolSize: config.poolSize, log })
  const replica = config.replicaUrl
    ? await createDatabase({ url: config.replicaUrl, password: config.dbPassword, poolSize: config.poolSize, log })
    : primary
  await migrate(primary, log)
  const repository = createRepository({ primary, replica })
  const handler = createHandler({ routes: createRoutes(repository), log, metrics: createMetrics(), health: () => primary.ping() })
  startServer({
    handler,
    port: config.port,
    log,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    onClose: async () => {
      if (replica !== primary) await replica.close()
      await primary.close()
    },
  })
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: SERVICE, msg: 'start failed', error: error.message })}\n`)
  process.exit(1)
})
