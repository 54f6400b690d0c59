/**
 * A read-through cache in Redis for user lookups. The cache is an
 * optimisation: when Redis fails the lookup goes to the database and the
 * failure is logged, never returned to the client.
 */
export async function createCache({ url, ttlSeconds, log }) {
  // Loaded here, when a cache is configured, so the tests (which pass a fake client) need no install.
  const { createClient } = await import('redis')
  const client = createClient({ url })
  client.on('error', (error) => log.warn('cache connection failed', { error: error.message }))
  await client.connect()
  return wrapCache(client, { ttlSeconds, log })
}

/** The cache over any client with get, set and destroy; tests pass a fake one. */
export function wrapCache(client, { ttlSeconds, log }) {
  return {
    async get(key) {
      try {
        const text = await client.get(key)
        return text ? JSON.parse(text) : undefined
      } catch (error) {
        log.warn('cache read failed', { key, error: error.message })
        return undefined
      }
    },
    async set(key, value) {
      try {
        await client.set(key, JSON.stringify(value), { EX: ttlSeconds })
      } catch (error) {
        log.warn('cache write failed', { key, error: error.message })
      }
    },
    async close() {
      client.destroy()
    },
  }
}
