/** The users API: create a user, read one, list them. Input is checked here; storage is the repository's. */
import { assertValid, HttpError } from './http.js'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const ID = /^[0-9a-f-]{36}$/

export function validateNewUser(body) {
  const problems = []
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['the body must be a JSON object']
  if (typeof body.email !== 'string' || !EMAIL.test(body.email) || body.email.length > 320) {
    problems.push('email must be an email address such as ada@example.com')
  }
  if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200) {
    problems.push('name must be a non-empty string of at most 200 characters')
  }
  return problems
}

export function createRoutes(repository) {
  return [
    {
      method: 'POST',
      path: '/users',
      handler: async ({ body }) => {
        assertValid(validateNewUser(body))
        const user = await repository.createUser({ email: body.email.toLowerCase(), name: body.name.trim() })
        if (!user) throw new HttpError(409, `a user with the email ${body.email.toLowerCase()} already exists`)
        return { status: 201, body: user }
      },
    },
    {
      method: 'GET',
      path: '/users/:id',
      handler: async ({ params }) => {
        if (!ID.test(params.id)) throw new HttpError(400, 'the user id must be a UUID')
        const user = await repository.findUser(params.id)
        if (!user) throw new HttpError(404, `no user ${params.id}`)
        return { body: user }
      },
    },
    {
      method: 'GET',
      path: '/users',
      handler: async ({ query }) => {
        const limit = Number(query.get('limit') ?? 50)
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'limit must be a whole number from 1 to 100')
        return { body: { users: await repository.listUsers(limit) } }
      },
    },
  ]
}
