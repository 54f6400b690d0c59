/**
 * The gcp README's permission list is the one the code uses
 * (providers/gcp/permissions.ts); `node scripts/update-golden.mjs` rewrites it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { allPermissions } from '../../providers/gcp/permissions.js'

const README = path.resolve(import.meta.dirname, '../../providers/gcp/README.md')
const START = '<!-- permissions -->'
const STOP = '<!-- permissionsstop -->'

function rendered(): string {
  const byService = new Map<string, string[]>()
  for (const permission of allPermissions()) {
    const [service, ...rest] = permission.split('.')
    byService.set(service, [...(byService.get(service) ?? []), rest.join('.')])
  }
  return [...byService].map(([service, names]) => `- \`${service}.\`: ${names.join(', ')}`).join('\n')
}

describe('gcp README', () => {
  it('lists exactly the permissions the provider\'s calls need', () => {
    const text = readFileSync(README, 'utf8')
    const [head, rest] = text.split(START)
    const [, tail] = rest.split(STOP)
    const expected = `${head}${START}\n${rendered()}\n${STOP}${tail}`
    if (process.env.STRATO_UPDATE_GOLDEN === '1') writeFileSync(README, expected)
    else expect(text).toBe(expected)
  })
})
