/**
 * MySQL through a mysql2 pool. Queries use ? placeholders, which mysql2 fills
 * in escaped. The password comes separately from the URL, from DB_PASSWORD.
 */
import mysql from 'mysql2/promise'

export async function createDatabase({ url, password, poolSize, log }) {
  const parsed = new URL(url)
  const pool = mysql.createPool({
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password,
    database: decodeURIComponent(parsed.pathname.slice(1)),
    connectionLimit: poolSize,
    waitForConnections: true,
    enableKeepAlive: true,
    connectTimeout: 5_000,
  })
  pool.on('error', (error) => log.warn('database connection failed', { error: error.message }))
  const runner = (connection) => async (sql, params = []) => {
    const [rows] = await connection.query(sql, params)
    return rows
  }

  return {
    query: runner(pool),
    async transaction(work) {
      const connection = await pool.getConnection()
      try {
        await connection.beginTransaction()
        const result = await work({ query: runner(connection) })
        await connection.commit()
        return result
      } catch (error) {
        await connection.rollback().catch(() => {})
        throw error
      } finally {
        connection.release()
      }
    },
    /**
     * Runs work while holding a named lock every instance shares, so replicas
     * starting together migrate once. (MySQL commits DDL implicitly, so this is
     * a session lock rather than a transaction.)
     */
    async exclusive(name, work) {
      const connection = await pool.getConnection()
      try {
        const [[{ locked }]] = await connection.query('SELECT GET_LOCK(?, 60) AS locked', [name])
        if (locked !== 1) throw new Error(`could not take the lock "${name}" within 60 s`)
        try {
          return await work({ query: runner(connection) })
        } finally {
          await connection.query('SELECT RELEASE_LOCK(?)', [name])
        }
      } finally {
        connection.release()
      }
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    isUniqueViolation: (error) => error?.code === 'ER_DUP_ENTRY',
    close: () => pool.end(),
  }
}
