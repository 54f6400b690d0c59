import { describe, expect, it } from 'vitest'
import { errorToJson, ExitCode, exitCodeFor, notSupported, usageError, UserError } from '../../src/errors.js'

describe('exit codes', () => {
  it('follows the one table', () => {
    expect(ExitCode).toMatchObject({ ok: 0, failure: 1, usage: 2, gate: 3 })
    expect(exitCodeFor(usageError('bad flag'))).toBe(2)
    expect(exitCodeFor(new UserError('budget exceeded', { code: 'gate' }))).toBe(3)
    expect(exitCodeFor(notSupported('Azure deploy'))).toBe(ExitCode.notSupported)
    expect(exitCodeFor(new Error('boom'))).toBe(1)
  })

  it('treats oclif parse errors as usage errors and honours explicit exits', () => {
    expect(exitCodeFor(Object.assign(new Error('Nonexistent flag: --x'), { oclif: { exit: 2 } }))).toBe(2)
    expect(exitCodeFor(Object.assign(new Error('EEXIT: 3'), { code: 'EEXIT', oclif: { exit: 3 } }))).toBe(3)
  })

  it('every code in the table is distinct', () => {
    const codes = Object.values(ExitCode)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('renders user errors and bugs differently in --json', () => {
    expect(errorToJson(usageError('Missing --name.', 'Pass --name shop.'))).toEqual({
      error: { kind: 'user', exitCode: 2, message: 'Missing --name.', fix: 'Pass --name shop.', details: undefined },
    })
    expect(errorToJson(new TypeError('x is undefined'))).toEqual({ error: { kind: 'bug', exitCode: 1, message: 'x is undefined' } })
  })
})
