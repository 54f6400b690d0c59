/**
 * Where users are stored: writes go to the primary, reads to the replica
 * (the same pool when there is none){{=cacheNote}}.
 */
import { randomUUID } from 'node:crypto'

const COLUMNS = 'id, email, name, created_at AS "createdAt"'

{{#if usesCache}}
export function createRepository({ primary, replica, cache, newId = randomUUID }) {
{{else}}
export function createRepository({ primary, replica, newId = randomUUID }) {
{{/if}}
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
{{#if usesCache}}
      const cached = await cache?.get(`user:${id}`)
      if (cached) return cached
{{/if}}
      const [user] = await replica.query(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id])
{{#if usesCache}}
      if (user) await cache?.set(`user:${id}`, user)
{{/if}}
      return user
    },
    async listUsers(limit) {
      return replica.query(`SELECT ${COLUMNS} FROM users ORDER BY created_at DESC, id LIMIT ?`, [limit])
    },
  }
}
