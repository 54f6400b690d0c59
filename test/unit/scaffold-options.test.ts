import { describe, expect, it } from 'vitest'
import { ExitCode, UserError } from '../../src/errors.js'
import { DNS_LABEL_RULE } from '../../src/manifest/schema.js'
import { checkGivenShopOptions, checkProjectName, projectNameProblem, resolveServices, resolveShopOptions } from '../../src/scaffold/options.js'

function thrown(work: () => unknown): UserError {
  try {
    work()
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('expected a UserError')
}

describe('project names', () => {
  it('accepts DNS labels', () => {
    for (const name of ['shop', 'a', 'my-shop-2', 'x'.repeat(63)]) expect(checkProjectName(name)).toBe(name)
  })

  it('rejects anything else with the rule in the message and exit code 2', () => {
    for (const name of ['Shop', '2shop', 'my_shop', 'shop-', '-shop', 'x'.repeat(64), 'sh op', '']) {
      const error = thrown(() => checkProjectName(name))
      expect(error.message).toContain(DNS_LABEL_RULE)
      expect(error.exitCode).toBe(ExitCode.usage)
    }
    expect(thrown(() => checkProjectName('My_Shop')).fix).toContain('"my-shop"')
    expect(projectNameProblem('shop')).toBeUndefined()
  })
})

describe('resolveShopOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveShopOptions({ name: 'shop' })).toEqual({
      name: 'shop', runtime: 'node', db: 'postgres', cache: false, readReplica: false, lb: 'round-robin',
      services: ['users', 'orders', 'payments'], targets: ['docker'], ci: 'github',
    })
  })

  it('keeps every flag and drops repeated targets', () => {
    const options = resolveShopOptions({
      name: 'shop', runtime: 'python', db: 'mysql', cache: true, readReplica: true, lb: 'consistent-hash',
      services: 'users', targets: ['aws', 'gcp', 'aws'],
    })
    expect(options).toMatchObject({ runtime: 'python', db: 'mysql', cache: true, readReplica: true, lb: 'consistent-hash', services: ['users'], targets: ['aws', 'gcp'] })
  })

  it('names a missing project name and unknown values as usage errors', () => {
    expect(thrown(() => resolveShopOptions({})).message).toBe('Missing the project name.')
    const runtime = thrown(() => resolveShopOptions({ name: 'shop', runtime: 'ruby' }))
    expect(runtime.message).toBe('--runtime must be one of node, python, got "ruby".')
    expect(runtime.exitCode).toBe(ExitCode.usage)
    expect(thrown(() => resolveShopOptions({ name: 'shop', targets: ['k8s'] })).message).toContain('--target must be one of docker, aws, azure, gcp')
    expect(thrown(() => resolveShopOptions({ name: 'shop', lb: 'random' })).message).toContain('round-robin, least-conn, weighted, consistent-hash')
  })
})

describe('resolveServices', () => {
  it('keeps dependency order whatever order they are given in', () => {
    expect(resolveServices('payments,users,orders')).toEqual(['users', 'orders', 'payments'])
    expect(resolveServices(' users , orders ')).toEqual(['users', 'orders'])
    expect(resolveServices('users')).toEqual(['users'])
  })

  it('refuses a service without the one it needs, and says why and what to add', () => {
    const orders = thrown(() => resolveServices('orders'))
    expect(orders.message).toBe('--services has orders without users: every order belongs to a user that the users service creates.')
    expect(orders.fix).toBe('Add users, e.g. --services users,orders.')
    const payments = thrown(() => resolveServices('users,payments'))
    expect(payments.message).toContain('payments without orders')
    expect(thrown(() => resolveServices('users,carts')).message).toContain('--services must be one of users, orders, payments, got "carts"')
    expect(thrown(() => resolveServices(',')).message).toBe('--services is empty.')
  })
})

describe('options given before any prompt', () => {
  it('are checked on their own, so a wrong flag is reported before the questions', () => {
    expect(thrown(() => checkGivenShopOptions({ services: 'bogus' })).message).toBe('--services must be one of users, orders, payments, got "bogus".')
    expect(thrown(() => checkGivenShopOptions({ name: 'My_Shop' })).exitCode).toBe(ExitCode.usage)
    expect(thrown(() => checkGivenShopOptions({ targets: ['docker', 'openstack'] })).message).toContain('--target must be one of')
    // what is missing is left for the prompts
    expect(() => checkGivenShopOptions({})).not.toThrow()
  })
})
