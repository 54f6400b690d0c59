// The built CLI as a user runs it: help, --json, exit codes, colour, manifest search.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

const bin = path.resolve('bin/run.js')

async function strato(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = await execa(process.execPath, [bin, ...args], {
    cwd: options.cwd, reject: false, env: { NO_COLOR: '', FORCE_COLOR: '', CI: '1', ...options.env },
  })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
}

function project(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-cli-'))
  writeFileSync(path.join(dir, 'strato.yaml'), text)
  return dir
}

const VALID = 'name: shop\nservices:\n  users: { image: "example/users:1.0.0", port: 8080, health: /healthz }\n'

describe('strato CLI', () => {
  it('lists every command in --help', async () => {
    const { stdout, exitCode } = await strato(['--help'])
    expect(exitCode).toBe(0)
    for (const command of ['new', 'validate', 'plan', 'deploy', 'status', 'scale', 'autoscale', 'check', 'cost', 'destroy', 'doctor', 'capacity', 'schema', 'autocomplete']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
  })

  it('lists in every command\'s --help the exit codes it can return', async () => {
    const manifest = JSON.parse(readFileSync(path.resolve('oclif.manifest.json'), 'utf8')) as { commands: Record<string, { exitCodes?: string[] }> }
    const commands = Object.entries(manifest.commands).filter(([id]) => !['help', 'autocomplete'].includes(id))
    expect(commands.length).toBeGreaterThan(20)
    for (const [id, command] of commands) {
      expect(command.exitCodes, id).toContain('ok')
      const { stdout } = await strato([...id.split(':'), '--help'])
      expect(stdout, id).toMatch(/^EXIT CODES\n {2}0 {2}ok\n/m)
    }
    const check = await strato(['check', '--help'])
    expect(check.stdout).toContain('  3  a policy or budget gate failed')
    expect((await strato(['validate', '--help'])).stdout).not.toMatch(/^ {2}3 /m)
  })

  it('checks the flags given to new before asking anything in a terminal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-cli-'))
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'CI'))
    // script(1) gives the CLI a pseudo-terminal, so it would prompt as it does for a person.
    const result = await execa('script', ['-qfec', `${process.execPath} ${bin} new --services bogus --dir ${path.join(dir, 'shop')}`, '/dev/null'], {
      env: { ...env, NO_COLOR: '1' }, extendEnv: false, reject: false, input: '', timeout: 30_000,
    })
    expect(result.stdout).toContain('--services must be one of users, orders, payments, got "bogus".')
    expect(result.stdout).not.toContain('Project name')
    expect(result.exitCode).toBe(2)
  })

  it('shows copyable examples in a command\'s help', async () => {
    const { stdout } = await strato(['capacity', '--help'])
    expect(stdout).toContain('$ strato capacity --rps 5000 --per-replica 800 --target-util 0.7')
  })

  it('returns the command result as --json', async () => {
    const { stdout, exitCode } = await strato(['capacity', '--rps', '5000', '--per-replica', '800', '--target-util', '0.7', '--headroom', '0.2', '--n-plus-one', '--json'])
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ replicas: 12, base: 11 })
  })

  it('exits 2 for usage errors and names the flag', async () => {
    const missing = await strato(['capacity', '--per-replica', '800'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Missing required flag rps')
    const unknown = await strato(['capacity', '--rps', '1', '--per-replica', '1', '--bogus'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('Nonexistent flag: --bogus')
  })

  it('validates a manifest found by searching upwards, like git', async () => {
    const dir = project(VALID)
    const nested = path.join(dir, 'services', 'users')
    mkdirSync(nested, { recursive: true })
    const { stdout, exitCode } = await strato(['validate'], { cwd: nested })
    expect(exitCode).toBe(0)
    expect(stdout).toContain('is valid')
  })

  it('prints every manifest problem with file:line:col and exits 2', async () => {
    const dir = project('name: shop\nservices:\n  users: { image: "example/users:1.0.0", port: "80", replica: 2 }\nbudgtes: {}\n')
    const text = await strato(['validate'], { cwd: dir })
    expect(text.exitCode).toBe(2)
    expect(text.stderr).toContain('strato.yaml:3:48 services.users.port: expected a number, got "80"')
    expect(text.stderr).toContain('strato.yaml:3:54 services.users.replica: unknown key; did you mean "replicas"?')
    expect(text.stderr).toContain('strato.yaml:4:1 budgtes: unknown key; did you mean "budgets"?')
    const json = await strato(['validate', '--json'], { cwd: dir })
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout).error.problems).toHaveLength(3)
  })

  it('says where it looked when there is no manifest', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'strato-empty-'))
    const { stderr, exitCode } = await strato(['validate', '-f', 'nope.yaml'], { cwd: empty })
    expect(exitCode).toBe(2)
    expect(stderr).toContain('No manifest at nope.yaml.')
    expect(stderr).toContain('strato new')
  })

  it('colours only when allowed: FORCE_COLOR turns it on, NO_COLOR wins', async () => {
    const dir = project('name: Shop\nservices: {}\n')
    const forced = await strato(['validate'], { cwd: dir, env: { FORCE_COLOR: '1' } })
    expect(forced.stderr).toContain('\u001B[31m')
    const plain = await strato(['validate'], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })
    expect(plain.stderr).not.toContain('\u001B[')
  })

  it('prints the JSON Schema that editors use', async () => {
    const { stdout, exitCode } = await strato(['schema'])
    expect(exitCode).toBe(0)
    const schema = JSON.parse(stdout)
    expect(schema.title).toBe('strato.yaml')
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'services', 'targets', 'placement', 'budgets', 'checks']))
  })

  it('offers shell completion', async () => {
    const { stdout, exitCode } = await strato(['autocomplete', 'bash'])
    expect(exitCode).toBe(0)
    expect(stdout).toContain('strato')
  })
})
