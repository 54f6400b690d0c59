import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { manifestJsonSchema } from '../../src/manifest/json-schema.js'

describe('published JSON Schema', () => {
  const schema = manifestJsonSchema()
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema)

  it('is generated from the zod schema and matches the committed copy', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schema/strato.schema.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(schema)
  })

  it('accepts a valid manifest and rejects unknown keys, like strato validate', () => {
    const manifest = parse('name: shop\nservices:\n  users: { build: ./users, port: 8080, replicas: 2 }\ntargets:\n  aws: { provider: aws, region: eu-west-1 }\n')
    expect(validate(manifest)).toBe(true)
    expect(validate({ ...manifest, servics: {} })).toBe(false)
    expect(validate({ ...manifest, targets: { aws: { provider: 'aws', region: 'eu-west-1', vmSize: 'x' } } })).toBe(false)
  })
})
