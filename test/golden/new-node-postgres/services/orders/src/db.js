/**
 * PostgreSQL through a pg pool. Queries are written with ? placeholders, the
 * same in both database flavours of this template, and numbered here ($1, $2...).
 * The password comes separately from the URL, from DB_PASSWORD.
 */
import pg from 'pg'

export async function createDatabase({ url, password, poolSize, log }) {
  // The URL is taken apart here: pg lets a connection string's (absent) password override the one given.
  const parsed = new URL(url)
  const pool = new pg.Pool({
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    password,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  })
  // An idle client can fail (database restart); pg reports it here instead of crashing the process.
  pool.on('error', (error) => log.warn('idle database connection failed', { error: error.message }))
  const runner = (client) => async (sql, params = []) => (await client.query(numberPlaceholders(sql), params)).rows

  return {
    query: runner(pool),
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work({ query: runner(client) })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    /** Runs work while holding a lock every instance shares, so replicas starting together migrate once. */
    async exclusive(name, work) {
      return this.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext(?))', [name])
        return work(tx)
      })
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    isUniqueViolation: (error) => error?.code === '23505',
    close: () => pool.end(),
  }
}

/** ? -> $1, $2, ...; the queries in this service never hold a literal question mark. */
export function numberPlaceholders(sql) {
  let index = 0
  return sql.replace(/\?/g, () => `$${++index}`)
}
