import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../src/errors.js'
import { checkTargetDir, writeTree } from '../../src/scaffold/write-tree.js'

const fresh = () => mkdtempSync(path.join(tmpdir(), 'strato-scaffold-write-'))

describe('checkTargetDir', () => {
  it('accepts a missing or empty folder', () => {
    const dir = fresh()
    expect(() => checkTargetDir(path.join(dir, 'new'), 'new', false)).not.toThrow()
    expect(() => checkTargetDir(dir, 'dir', false)).not.toThrow()
  })

  it('refuses a folder with files unless forced, naming --force in the fix', () => {
    const dir = fresh()
    writeFileSync(path.join(dir, 'notes.txt'), 'mine')
    let error: unknown
    try {
      checkTargetDir(dir, 'shop', false)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).exitCode).toBe(2)
    expect((error as UserError).message).toBe('shop is not empty; strato new does not write into a folder that holds other files.')
    expect((error as UserError).fix).toContain('--force')
    expect(() => checkTargetDir(dir, 'shop', true)).not.toThrow()
  })

  it('refuses a path that is a file, even with --force', () => {
    const file = path.join(fresh(), 'shop')
    writeFileSync(file, '')
    expect(() => checkTargetDir(file, 'shop', true)).toThrow('shop exists and is not a folder.')
  })
})

describe('writeTree', () => {
  it('writes nested files and makes only scripts with a shebang executable', () => {
    const dir = fresh()
    mkdirSync(path.join(dir, 'db'))
    const written = writeTree(dir, { 'db/run.sh': '#!/usr/bin/env bash\necho hi\n', 'db/sourced.sh': 'echo hi\n', 'a/b/c.txt': 'c' })
    expect(written).toEqual(['db/run.sh', 'db/sourced.sh', 'a/b/c.txt'])
    expect(readFileSync(path.join(dir, 'a/b/c.txt'), 'utf8')).toBe('c')
    expect(statSync(path.join(dir, 'db/run.sh')).mode & 0o777).toBe(0o755)
    expect(statSync(path.join(dir, 'db/sourced.sh')).mode & 0o777).toBe(0o644)
  })
})
