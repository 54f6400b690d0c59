/**
 * The starter repos `strato new` writes pass `strato check` with nothing at
 * medium or above, and the check command's contract as a CI step: exit codes,
 * --json, SARIF to a file, and a run without a manifest.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

const bin = path.resolve('bin/run.js')

async function strato(args: string[], cwd?: string) {
  const result = await execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { NO_COLOR: '1', CI: '1' } })
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
}

async function scaffold(flags: string[]): Promise<string> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'strato-starter-')), 'shop')
  const made = await strato(['new', 'shop', '--dir', dir, ...flags])
  expect(made.stderr + made.stdout).not.toMatch(/Error:/)
  expect(made.exitCode).toBe(0)
  return dir
}

describe('starter repos pass strato check', () => {
  it.each([
    ['node + postgres', ['--runtime', 'node', '--db', 'postgres']],
    ['python + mysql, cache and read replica', ['--runtime', 'python', '--db', 'mysql', '--cache', '--read-replica']],
    ['node on docker and aws', ['--runtime', 'node', '--db', 'postgres', '--target', 'docker', '--target', 'aws']],
    ['python on the three clouds with GitLab CI', ['--runtime', 'python', '--target', 'aws', '--target', 'azure', '--target', 'gcp', '--ci', 'gitlab']],
  ])('%s: no finding at all, and only dated suppressions with a reason', async (_name, flags) => {
    const dir = await scaffold(flags)
    const { stdout, exitCode } = await strato(['check', '--fail-on', 'low', '--json'], dir)
    const report = JSON.parse(stdout)
    expect(report.findings.map((finding: { ruleId: string; message: string }) => `${finding.ruleId}: ${finding.message}`)).toEqual([])
    for (const finding of report.suppressed as { suppressed: { reason: string; until?: string } }[]) {
      expect(finding.suppressed.until).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(finding.suppressed.reason.length).toBeGreaterThan(20)
    }
    expect(report.summary.files).toBeGreaterThan(10)
    expect(exitCode).toBe(0)
  })
})

describe('strato check as a CI step', () => {
  it('exits 3 when a finding at the threshold remains, writes SARIF to a file, and runs without a manifest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-check-'))
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node\nCOPY . /app\nCMD ["node", "/app/server.js"]\n')
    const failing = await strato(['check', '--fail-on', 'high', '--format', 'sarif', '--output', 'out.sarif'], dir)
    expect(failing.exitCode).toBe(3)
    expect(failing.stderr).toContain('Failing: findings at or above high remain.')
    const sarif = JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8'))
    expect(sarif.runs[0].results.map((result: { ruleId: string }) => result.ruleId)).toEqual(expect.arrayContaining(['DKR-001', 'DKR-002', 'DKR-006']))

    const passing = await strato(['check', '--fail-on', 'critical'], dir)
    expect(passing.exitCode).toBe(0)
    expect(passing.stdout).toMatch(/^HIGH \(1\)$/m)

    // Without strato.yaml and without --fail-on, a high finding fails the run; --fail-on none opts out.
    const byDefault = await strato(['check', '--dir', dir])
    expect(byDefault.exitCode).toBe(3)
    expect(byDefault.stdout).toMatch(/Failing: .*high/)
    expect((await strato(['check', '--dir', dir, '--fail-on', 'none'])).exitCode).toBe(0)
  })

  it('takes the threshold and suppressions from strato.yaml, and flags expired ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-check-'))
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM local/node:24\nUSER 10001\nADD app.tgz /app\n')
    writeFileSync(path.join(dir, 'strato.yaml'), [
      'name: shop',
      'services:',
      '  web: { build: ., port: 8080, health: /healthz, restart: always, resources: { memory: 128Mi } }',
      'checks:',
      '  failOn: medium',
      '  skip:',
      '    - { id: DKR-004, reason: "vendored archive", path: Dockerfile }',
      '    - { id: DKR-006, reason: "strato health-checks it", until: 2020-01-01 }',
      '',
    ].join('\n'))
    const { stdout, exitCode } = await strato(['check', '--json'], dir)
    const report = JSON.parse(stdout)
    expect(report.failOn).toBe('medium')
    expect(report.suppressed.map((finding: { ruleId: string }) => finding.ruleId)).toEqual(['DKR-004'])
    expect(report.findings.map((finding: { ruleId: string; location: { line: number } }) => `${finding.ruleId}:${finding.location.line}`)).toEqual(['CHK-003:8', 'DKR-006:1'])
    expect(exitCode).toBe(3)
  })

  it('explains a rule and lists them all', async () => {
    const explained = await strato(['check', 'explain', 'dkr-001'])
    expect(explained.exitCode).toBe(0)
    expect(explained.stdout).toContain('DKR-001 Container runs as root')
    expect(explained.stdout).toContain('CIS Docker Benchmark v1.6.0 4.1')
    const unknown = await strato(['check', 'explain', 'DRK-001'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('No rule DRK-001. Did you mean DKR-001?')
    const listed = await strato(['check', 'rules', '--json'])
    expect(JSON.parse(listed.stdout).map((rule: { id: string }) => rule.id)).toContain('GCP-006')
  })

  it('warns and still runs static checks when a target\'s provider cannot give facts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strato-check-'))
    writeFileSync(path.join(dir, 'strato.yaml'), 'name: shop\nservices:\n  web: { image: "example/web:1.0.0", port: 8080, health: /healthz, restart: always, resources: { memory: 128Mi } }\ntargets:\n  edge: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n')
    const { stdout, stderr, exitCode } = await strato(['check', '--live', '--json'], dir)
    expect(exitCode).toBe(0)
    expect(stderr).toMatch(/live checks for target edge skipped: /)
    expect(JSON.parse(stdout).warnings[0]).toMatch(/^live checks for target edge skipped: /)
  })
})
