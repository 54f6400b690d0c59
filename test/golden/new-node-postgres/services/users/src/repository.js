/**
 * Where users are stored: writes go to the primary, reads to the replica
 * (the same pool when there is none).
 */
import { randomUUID } from 'node:crypto'

const COLUMNS = 'id, email, name, created_at AS "createdAt"'

export function createRepository({ primary, replica, newId = randomUUID }) {
  return {
    /** The new user, or undefined when the email is taken. */
    async createUser({ email, name }) {
      const id = newId()
      try {
        await primary.query('INSERT INTO users (id, email, name) VALUES (?, ?, ?)', [id, email, name])
      } catch (error) {
        if (primary.isUniqueViolation(error)) return undefined
        throw error
      }
      // Read back from the primary: a replica may not have the row yet.
      const [user] = await primary.query(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id])
      return user
    },
    async findUser(id) {
      const [user] = await replica.query(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id])
      return user
    },
    async listUsers(limit) {
      return replica.query(`SELECT ${COLUMNS} FROM users ORDER BY created_at DESC, id LIMIT ?`, [limit])
    },
  }
}
