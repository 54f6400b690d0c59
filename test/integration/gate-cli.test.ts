/**
 * strato gate as a CI step runs it: the built CLI in real git repositories
 * with a base commit and a change on top, for each gate and exit code.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { strato } from '../helpers/strato.js'

const home = mkdtempSync(path.join(tmpdir(), 'strato-gate-home-'))
const GIT_ENV = { GIT_AUTHOR_NAME: 'Gate Test', GIT_AUTHOR_EMAIL: 'gate@example.com', GIT_COMMITTER_NAME: 'Gate Test', GIT_COMMITTER_EMAIL: 'gate@example.com' }
// No cloud credentials and no instance metadata: an AWS target can only refuse, never reach out.
const ENV = {
  HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'), ...GIT_ENV,
}

function manifest(options: { replicas?: number; budget?: number; hosts?: string; extra?: string } = {}): string {
  const target = options.hosts
    ? `  onprem: { provider: docker, hosts: [${options.hosts}] }`
    : '  aws: { provider: aws, region: us-east-1, instanceType: t3.small, endpoint: "http://127.0.0.1:9" }'
  return [
    'name: gate-test',
    'services:',
    '  web:',
    '    image: local/node:24',
    '    port: 8080',
    `    replicas: ${options.replicas ?? 2}`,
    '    resources: { cpu: 0.25, memory: 128Mi }',
    ...(options.extra ? [options.extra] : []),
    'targets:',
    target,
    ...(options.budget ? [`budgets: { monthly: ${options.budget} }`] : []),
    '',
  ].join('\n')
}

const SAFE = 'FROM node:24.11.1-bookworm-slim\nUSER 1000:1000\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "main.js"]\n'
const ROOT = 'FROM node:24.11.1-bookworm-slim\nUSER root\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "main.js"]\n'

async function git(cwd: string, ...args: string[]) {
  return execa('git', args, { cwd, env: GIT_ENV })
}

function write(dir: string, files: Record<string, string | null>): void {
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(dir, file)
    if (text === null) rmSync(full, { force: true })
    else {
      mkdirSync(path.dirname(full), { recursive: true })
      writeFileSync(full, text)
    }
  }
}

/** A repository with `base` committed on main and `change` committed on a branch checked out on top. */
async function repo(base: Record<string, string>, change: Record<string, string | null>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'strato-gate-repo-'))
  await git(dir, 'init', '--quiet', '--initial-branch', 'main')
  write(dir, base)
  await git(dir, 'add', '--all')
  await git(dir, 'commit', '--quiet', '--message', 'base')
  await git(dir, 'checkout', '--quiet', '-b', 'change')
  write(dir, change)
  await git(dir, 'add', '--all')
  await git(dir, 'commit', '--quiet', '--message', 'change')
  return dir
}

const gate = (dir: string, args: string[]) => strato(['gate', ...args], { cwd: dir, env: ENV })
const gateJson = async (dir: string, args: string[]) => {
  const result = await gate(dir, [...args, '--json'])
  return { exitCode: result.exitCode, json: JSON.parse(result.stdout), stderr: result.stderr }
}

describe('strato gate in a git repository', () => {
  it('passes (exit 0) when the change adds nothing at or above the threshold, with the report on stdout', async () => {
    const dir = await repo({ 'strato.yaml': manifest(), 'services/web/Dockerfile': SAFE }, { 'README.md': '# docs only\n' })
    const result = await gate(dir, ['--offline'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe('## ✅ strato gate passed')
    expect(result.stdout).toContain('Compared with the merge base of this change and `main`.')
    expect(result.stdout).toContain('<summary>Cost: no change</summary>')
    expect(result.stderr).toContain('strato gate passed.')
    // the base's temporary worktree is gone again
    expect((await git(dir, 'worktree', 'list')).stdout.trim().split('\n')).toHaveLength(1)
  })

  it('fails (exit 3) on a new high finding, and writes Markdown, SARIF and JUnit', async () => {
    const dir = await repo({ 'strato.yaml': manifest(), 'services/web/Dockerfile': SAFE }, { 'services/web/Dockerfile': ROOT })
    const result = await gate(dir, ['--offline', '--markdown', 'gate.md', '--sarif', 'gate.sarif', '--junit', 'gate.xml'])
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stdout.split('\n')[0]).toBe('## ❌ strato gate failed')
    expect(`${readFileSync(path.join(dir, 'gate.md'), 'utf8').trimEnd()}`).toBe(result.stdout)
    const sarif = JSON.parse(readFileSync(path.join(dir, 'gate.sarif'), 'utf8'))
    const root = sarif.runs[0].results.find((entry: { ruleId: string }) => entry.ruleId === 'DKR-001')
    expect(root.baselineState).toBe('new')
    expect(root.locations[0].physicalLocation.artifactLocation.uri).toBe('services/web/Dockerfile')
    expect(readFileSync(path.join(dir, 'gate.xml'), 'utf8')).toContain('<failure message="1 new finding at or above high" type="gate">high DKR-001 services/web/Dockerfile:2')
  })

  it('does not fail on a finding already on the base, unless --fail-on-existing', async () => {
    const dir = await repo({ 'strato.yaml': manifest(), 'services/web/Dockerfile': ROOT }, { 'README.md': '# docs only\n' })
    const kept = await gateJson(dir, ['--offline'])
    expect(kept.exitCode).toBe(0)
    expect(kept.json.findings.existing.map((finding: { ruleId: string }) => finding.ruleId)).toContain('DKR-001')
    expect(kept.json.findings.new).toEqual([])
    const strict = await gateJson(dir, ['--offline', '--fail-on-existing'])
    expect(strict.exitCode).toBe(3)
    expect(strict.json.gates.find((entry: { id: string }) => entry.id === 'findings').status).toBe('fail')
  })

  it('--fail-on sets the threshold; none turns the findings gate off', async () => {
    const dir = await repo({ 'strato.yaml': manifest(), 'services/web/Dockerfile': SAFE }, { 'services/web/Dockerfile': ROOT })
    expect((await gate(dir, ['--offline', '--fail-on', 'critical'])).exitCode).toBe(0)
    expect((await gate(dir, ['--offline', '--fail-on', 'none'])).exitCode).toBe(0)
  })

  it('gates the cost increase by amount and by percent of the base', async () => {
    // one more t3.small replica with its disk: 30.368 + 1.28 + 16.425 (the target's balancer, unchanged) = 48.07 -> 63.90 a month
    const dir = await repo({ 'strato.yaml': manifest({ replicas: 2 }) }, { 'strato.yaml': manifest({ replicas: 3 }) })
    const over = await gateJson(dir, ['--offline', '--max-increase', '15'])
    expect(over.exitCode).toBe(3)
    expect(over.json.cost.delta.expected).toBe(15.83)
    expect(over.json.cost.increases).toEqual([{ limit: '15', increase: 15.83, exceeded: true, summary: 'The expected monthly cost changes by +15.83 USD (+32.9%), over the limit of +15.00 USD.' }])
    expect((await gate(dir, ['--offline', '--max-increase', '16'])).exitCode).toBe(0)
    expect((await gate(dir, ['--offline', '--max-increase', '30%'])).exitCode).toBe(3)
    expect((await gate(dir, ['--offline', '--max-increase', '33%'])).exitCode).toBe(0)
    const markdown = (await gate(dir, ['--offline', '--max-increase', '30%'])).stdout
    // web alone: 31.648 -> 47.472; the balancer's row (web has no health path, so the internal one) is unchanged and left out
    expect(markdown).toContain('| web | aws | changed | 31.65 | 47.47 | +15.82 | +15.82 | +15.82 |')
    expect(markdown).not.toContain('| (internal balancer) |')
    expect(markdown).toContain('| **Total** |  |  | 48.07 | 63.90 | +15.83 | +15.83 | +15.83 |')
  })

  it('gates the monthly estimate against budgets.monthly and --budget', async () => {
    const dir = await repo({ 'strato.yaml': manifest({ budget: 100 }) }, { 'strato.yaml': manifest({ budget: 60, replicas: 3 }) })
    const over = await gateJson(dir, ['--offline'])
    expect(over.exitCode).toBe(3)
    expect(over.json.cost.budget).toMatchObject({ budget: 60, amount: 63.9, exceeded: true })
    expect((await gate(dir, ['--offline', '--budget', '1000'])).exitCode).toBe(0)
    expect((await gate(dir, ['--offline', '--budget', 'lots'])).exitCode).toBe(2)
  })

  it('exits 2 on a manifest error, still reporting the problems and the findings', async () => {
    const dir = await repo({ 'strato.yaml': manifest() }, { 'strato.yaml': manifest().replace('replicas: 2', 'replicas: two') })
    const result = await gate(dir, ['--offline', '--markdown', 'gate.md'])
    expect(result.exitCode).toBe(2)
    expect(result.stdout.split('\n')[0]).toBe('## ⚠️ strato gate could not judge this change')
    expect(result.stdout).toContain('`strato.yaml:6:15 services.web.replicas: expected a number, got "two"`')
    expect(existsSync(path.join(dir, 'gate.md'))).toBe(true)
    const json = await gateJson(dir, ['--offline'])
    expect([json.exitCode, json.json.exitCode, json.json.verdict]).toEqual([2, 2, 'error'])
  })

  it('exits 5 when a target the change affects refuses the credentials', async () => {
    const dir = await repo({ 'strato.yaml': manifest({ replicas: 2 }) }, { 'strato.yaml': manifest({ replicas: 3 }) })
    const { exitCode, json } = await gateJson(dir, [])
    expect(exitCode).toBe(5)
    expect(json.plan.targets).toEqual([expect.objectContaining({ target: 'aws', status: 'denied', needed: true })])
  })

  it('exits 4 when a docker target the change affects cannot be reached, 0 when the change leaves it alone', async () => {
    const hosts = 'tcp://127.0.0.1:9'
    const changed = await repo({ 'strato.yaml': manifest({ hosts, replicas: 1 }) }, { 'strato.yaml': manifest({ hosts, replicas: 2 }) })
    const needed = await gate(changed, [])
    expect(needed.exitCode, needed.stderr).toBe(4)
    expect(needed.stdout).toContain('- `onprem` (docker, affected by this change): not reachable — The Docker daemon at tcp://127.0.0.1:9 cannot be reached.')
    const untouched = await repo({ 'strato.yaml': manifest({ hosts }) }, { 'README.md': '# docs only\n' })
    expect((await gate(untouched, [])).exitCode).toBe(0)
  })

  it('plans a reachable docker target: what deploy would create appears in the report', async () => {
    const hosts = 'unix:///var/run/docker.sock'
    const dir = await repo({ 'strato.yaml': manifest({ hosts, replicas: 1 }).replace('gate-test', `gate-plan-${process.pid}`) }, { 'strato.yaml': manifest({ hosts, replicas: 2 }).replace('gate-test', `gate-plan-${process.pid}`) })
    const result = await gate(dir, [])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('<summary>Plan: 1 change on 1 of 1 target</summary>')
    expect(result.stdout).toMatch(/\| onprem \| web \| create \| 0 -> 2 \| [0-9a-f]{12} \| new service, 2 replicas \|/)
  })

  it('finds the default branch without --base, and says what to do with a base it cannot find', async () => {
    const dir = await repo({ 'strato.yaml': manifest() }, { 'README.md': '# docs\n' })
    await git(dir, 'branch', '--move', 'main', 'master')
    const found = await gateJson(dir, ['--offline'])
    expect(found.json.base.ref).toBe('master')
    expect(found.json.base.commit).toBe((await git(dir, 'rev-parse', 'master')).stdout.trim())
    const missing = await gate(dir, ['--offline', '--base', 'no-such-branch'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('"no-such-branch" is not a branch, tag or commit of this repository.')
    const outside = mkdtempSync(path.join(tmpdir(), 'strato-gate-nogit-'))
    writeFileSync(path.join(outside, 'strato.yaml'), manifest())
    const noGit = await gate(outside, ['--offline'])
    expect(noGit.exitCode).toBe(2)
    expect(noGit.stderr).toContain('is not in a git repository')
  })

  it('compares a project in a subfolder with the same subfolder at the base, and a new project with nothing', async () => {
    const dir = await repo({ 'README.md': '# monorepo\n' }, { 'deploy/strato.yaml': manifest(), 'deploy/services/web/Dockerfile': ROOT })
    const { exitCode, json } = await gateJson(path.join(dir, 'deploy'), ['--offline'])
    expect(exitCode).toBe(3)
    expect(json.cost.notes[0]).toBe('The base has no strato.yaml: all of the cost is new.')
    expect(json.cost.base.total.expected).toBe(0)
    expect(json.findings.new.map((finding: { location: { path: string } }) => finding.location.path)).toContain('services/web/Dockerfile')
  })
})
