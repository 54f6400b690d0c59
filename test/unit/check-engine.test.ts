import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runChecks, type ProjectFile } from '../../src/checks/engine.js'
import { collectProjectFiles, gitignoreFromText, roleOf } from '../../src/checks/project-files.js'
import { ALL_RULES } from '../../src/checks/rules/index.js'
import { defineRule } from '../../src/checks/types.js'
import { parseComposeFile, shortPort } from '../../src/checks/service-spec.js'

const today = '2026-11-25'
const run = (files: ProjectFile[], options: Partial<Parameters<typeof runChecks>[1]> = {}, skips: Parameters<typeof runChecks>[0]['skips'] = []) =>
  runChecks({ files, facts: [], skips }, { today, ...options })

const rootDockerfile = 'FROM a:1\nADD app.tgz /app\n'

describe('runChecks', () => {
  it('reports a file that does not parse once, with its line, and still checks the others', () => {
    const report = run([
      { path: 'bad/Dockerfile', text: 'FROM a:1\nRUN make\nCOPPY . /app\nFROM\n', role: 'dockerfile' },
      { path: 'bad/compose.yaml', text: 'services:\n  a:\n    image: [unclosed\n', role: 'compose' },
      { path: 'good/Dockerfile', text: rootDockerfile, role: 'dockerfile' },
    ])
    const parseErrors = report.findings.filter((finding) => finding.ruleId === 'CHK-001')
    expect(parseErrors.map((finding) => [finding.location.kind === 'file' && finding.location.path, finding.location.kind === 'file' && finding.location.line])).toEqual([
      ['bad/Dockerfile', 3],
      ['bad/compose.yaml', 4],
    ])
    expect(parseErrors[0].message).toBe('bad/Dockerfile could not be parsed: unknown instruction "COPPY".')
    expect(report.findings.some((finding) => finding.ruleId === 'DKR-004' && finding.location.kind === 'file' && finding.location.path === 'good/Dockerfile')).toBe(true)
    // what did parse in the broken Dockerfile is still checked
    expect(report.findings.some((finding) => finding.ruleId === 'DKR-001' && finding.location.kind === 'file' && finding.location.path === 'bad/Dockerfile')).toBe(true)
  })

  it('reports a rule that throws as a bug with its id, and runs every other rule', () => {
    const broken = defineRule({
      id: 'TST-001', pack: 'dockerfile', severity: 'low', reads: ['dockerfile'], title: 'broken', rationale: 'r', remediation: 'f', references: [],
      check() { throw new Error('cannot read properties of undefined') },
    })
    const report = run([{ path: 'Dockerfile', text: rootDockerfile, role: 'dockerfile' }], { rules: [broken, ...ALL_RULES] })
    const bug = report.findings.find((finding) => finding.ruleId === 'CHK-002')
    expect(bug?.message).toBe('Rule TST-001 failed on Dockerfile: cannot read properties of undefined. This is a bug in strato; the other rules still ran.')
    expect(report.findings.map((finding) => finding.ruleId)).toContain('DKR-004')
  })

  it('applies strato.yaml skips by id and path, and reports an expired one while the finding comes back', () => {
    const files: ProjectFile[] = [
      { path: 'services/a/Dockerfile', text: rootDockerfile, role: 'dockerfile' },
      { path: 'services/b/Dockerfile', text: rootDockerfile, role: 'dockerfile' },
    ]
    const skips = [
      { id: 'DKR-004', reason: 'vendored archive', path: 'services/a', file: 'strato.yaml', line: 7 },
      { id: 'DKR-001', reason: 'migrating to a non-root image', until: '2026-01-31', file: 'strato.yaml', line: 9 },
    ]
    const report = run(files, {}, skips)
    const dkr004 = report.findings.filter((finding) => finding.ruleId === 'DKR-004')
    expect(dkr004.map((finding) => finding.location.kind === 'file' && finding.location.path)).toEqual(['services/b/Dockerfile'])
    expect(report.suppressed.find((finding) => finding.ruleId === 'DKR-004')?.suppressed).toEqual({ by: 'manifest', reason: 'vendored archive', until: undefined, path: 'strato.yaml', line: 7 })
    expect(report.findings.filter((finding) => finding.ruleId === 'DKR-001')).toHaveLength(2)
    const expired = report.findings.find((finding) => finding.ruleId === 'CHK-003')
    expect(expired?.message).toBe('checks.skip DKR-001 expired on 2026-01-31 ("migrating to a non-root image").')
    expect(expired?.location).toEqual({ kind: 'file', path: 'strato.yaml', line: 9 })
  })

  it('keeps a suppression good through its until date', () => {
    const skips = [{ id: 'DKR-004', reason: 'vendored', until: today, file: 'strato.yaml', line: 3 }]
    const report = run([{ path: 'Dockerfile', text: rootDockerfile, role: 'dockerfile' }], {}, skips)
    expect(report.findings.map((finding) => finding.ruleId)).not.toContain('DKR-004')
    expect(report.findings.map((finding) => finding.ruleId)).not.toContain('CHK-003')
  })

  it('honours inline ignores on the same line or the comment line above, with a reason', () => {
    const text = 'FROM a:1\n# strato:ignore DKR-004 unpacks the vendored archive\n\nADD a.tgz /a\nADD b.tgz /b # strato:ignore DKR-004 same archive, second part\nADD c.tgz /c\n'
    const report = run([{ path: 'Dockerfile', text, role: 'dockerfile' }])
    const lines = (ruleId: string, list = report.findings) => list.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.location.kind === 'file' && finding.location.line)
    expect(lines('DKR-004')).toEqual([6])
    expect(lines('DKR-004', report.suppressed)).toEqual([4, 5])
    expect(report.suppressed[0].suppressed?.by).toBe('inline')
  })

  it('applies skips to live findings by resource id', () => {
    const facts = [{ kind: 'aws.volume', resource: 'vol-1', target: 'aws', data: { volumeId: 'vol-1', encrypted: false, tags: {} } },
      { kind: 'aws.volume', resource: 'vol-2', target: 'aws', data: { volumeId: 'vol-2', encrypted: false, tags: {} } }]
    const report = runChecks({ files: [], facts, skips: [{ id: 'AWS-002', reason: 'scratch volume, deleted nightly', path: 'vol-1', file: 'strato.yaml', line: 4 }] }, { today })
    expect(report.findings.map((finding) => finding.location)).toEqual([{ kind: 'resource', target: 'aws', resource: 'vol-2', factKind: 'aws.volume' }])
    expect(report.summary.suppressed).toBe(1)
  })

  it('fails at or above the threshold only', () => {
    const files: ProjectFile[] = [{ path: 'Dockerfile', text: 'FROM a:1\nUSER 1\nHEALTHCHECK NONE\nADD x.tgz /\n', role: 'dockerfile' }]
    expect(run(files, { failOn: 'low' }).failed).toBe(true)
    expect(run(files, { failOn: 'medium' }).failed).toBe(false)
    expect(run(files).failed).toBe(false)
  })

  it('sorts by severity and gives fingerprints that survive moving a line', () => {
    const a = run([{ path: 'Dockerfile', text: 'FROM a\nADD https://x/y.tgz /\nADD z.tgz /\n', role: 'dockerfile' }])
    expect(a.findings.map((finding) => finding.severity)).toEqual(['high', 'high', 'medium', 'low', 'low'])
    const b = run([{ path: 'Dockerfile', text: 'FROM a\n\n\nADD https://x/y.tgz /\nADD z.tgz /\n', role: 'dockerfile' }])
    const print = (report: typeof a, id: string) => report.findings.find((finding) => finding.ruleId === id)?.fingerprint
    expect(print(b, 'DKR-003')).toBe(print(a, 'DKR-003'))
    expect(print(b, 'DKR-003')).not.toBe(print(b, 'DKR-004'))
  })
})

describe('project files', () => {
  it('finds Dockerfiles, compose files, manifests, uncommitted-safe .env files and source, skipping vendored folders', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'strato-check-'))
    const write = (file: string, text = 'x') => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
      writeFileSync(path.join(root, file), text)
    }
    write('.gitignore', '# local settings\n.env.local\n/dist\n')
    write('strato.yaml'); write('services/users/Dockerfile'); write('services/users/app.js'); write('docker-compose.override.yml')
    write('.env'); write('.env.local'); write('.env.example'); write('node_modules/x/Dockerfile'); write('.git/config.json'); write('dist/app.js')
    write('package-lock.json'); write('README.md')
    write('.venv-bench/lib/site.py'); write('env3/pyvenv.cfg'); write('env3/lib/x.py'); write('dist/Dockerfile')
    expect(collectProjectFiles(root).map((file) => `${file.role}:${file.path}`)).toEqual([
      'env:.env', 'compose:docker-compose.override.yml', 'dockerfile:services/users/Dockerfile', 'source:services/users/app.js', 'manifest:strato.yaml',
    ])
  })

  it('names roles from file names', () => {
    expect(['Dockerfile', 'Dockerfile.prod', 'api.Dockerfile', 'Containerfile', 'compose.yaml', 'docker-compose.yml', 'notes.yaml', '.env.production', '.env.sample', 'id_ed25519', 'tls.key', 'logo.png']
      .map(roleOf)).toEqual(['dockerfile', 'dockerfile', 'dockerfile', 'dockerfile', 'compose', 'compose', 'source', 'env', undefined, 'source', 'source', undefined])
  })

  it('reads a Dockerfile over 1 MiB whole, and reports files over the limits instead of skipping them silently', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'strato-check-'))
    // 1.5 MiB: a long comment, then what matters at the end
    writeFileSync(path.join(root, 'Dockerfile'), `FROM a:1\n# ${'x'.repeat(1.5 * 1024 * 1024)}\nENV DB_PASSWORD=${'hunter2'}hunter2\n`)
    writeFileSync(path.join(root, 'bundle.js'), 'y'.repeat(2048))
    writeFileSync(path.join(root, 'compose.yaml'), `services:\n  a:\n    image: x:1\n# ${'z'.repeat(4096)}\n`)
    const files = collectProjectFiles(root, { source: 1024, structured: 3 * 1024 * 1024 })
    expect(files.map((file) => [file.path, file.unread])).toEqual([
      ['Dockerfile', undefined],
      ['bundle.js', 'it is 2 KiB, over the 1 KiB strato reads for a source file.'],
      ['compose.yaml', undefined],
    ])
    const report = run(files)
    expect(report.findings.map((finding) => `${finding.ruleId} ${finding.location.kind === 'file' ? finding.location.path : ''}`)).toEqual(expect.arrayContaining(['DKR-005 Dockerfile', 'CHK-005 bundle.js']))
    expect(report.findings.find((finding) => finding.ruleId === 'CHK-005')?.message).toBe('bundle.js was not checked: it is 2 KiB, over the 1 KiB strato reads for a source file.')
    expect(report.summary.files).toBe(2)
    const small = collectProjectFiles(root, { structured: 1024 * 1024 })
    expect(small.find((file) => file.path === 'Dockerfile')?.unread).toBe('it is 1.5 MiB, over the 1 MiB strato reads for a Dockerfile.')
  })

  it('reads .gitignore patterns, negations and anchors', () => {
    const ignored = gitignoreFromText('*.env\n.env*\n!.env.shared\n/build\n')
    expect(['prod.env', 'config/.env', '.env.local', '.env.shared', 'build/x', 'src/build/x'].map(ignored)).toEqual([true, true, true, false, true, false])
  })
})

describe('compose services', () => {
  it('reads short and long port syntax', () => {
    expect(shortPort('5432')).toEqual({ hostIp: '', hostPort: undefined, containerPort: 5432 })
    expect(shortPort('127.0.0.1:5432:5432/tcp')).toEqual({ hostIp: '127.0.0.1', hostPort: '5432', containerPort: 5432 })
    expect(shortPort('[::1]:6379:6379')).toEqual({ hostIp: '::1', hostPort: '6379', containerPort: 6379 })
    expect(shortPort('127.0.0.1::80')).toEqual({ hostIp: '127.0.0.1', hostPort: undefined, containerPort: 80 })
    const parsed = parseComposeFile('services:\n  db:\n    image: postgres:16\n    ports:\n      - target: 5432\n        published: 5432\n        host_ip: 0.0.0.0\n    environment: ["A=1", "B"]\n')
    expect(parsed.services[0].ports).toEqual([{ value: { hostIp: '0.0.0.0', hostPort: '5432', containerPort: 5432 }, line: 5 }])
    expect(parsed.services[0].env.map((item) => item.value)).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: undefined }])
  })

  it('reads settings merged in from anchors, at the line they are written on', () => {
    const text = 'x-defaults: &defaults\n  restart: unless-stopped\n  mem_limit: 256m\n  privileged: true\nservices:\n  a:\n    <<: *defaults\n    image: x:1\n  b:\n    <<: [*defaults]\n    privileged: false\n    image: y:1\n'
    const [a, b] = parseComposeFile(text).services
    expect(a.restart).toEqual({ value: 'unless-stopped', line: 2 })
    expect(a.memoryLimit?.value).toBe('256m')
    expect(a.privileged).toEqual({ value: true, line: 4 })
    expect(b.privileged).toEqual({ value: false, line: 11 })
    expect(b.restart?.value).toBe('unless-stopped')
  })

  it('treats a file without services as empty and a wrong shape as a parse error', () => {
    expect(parseComposeFile('version: "3"\n')).toEqual({ services: [] })
    expect(parseComposeFile('services: [a, b]\n').error?.message).toBe('services must be a mapping of service names')
  })
})

describe('the fail-on threshold', () => {
  it('is the flag, else checks.failOn, else high; none never fails', async () => {
    const { failOnFor } = await import('../../src/checks/project.js')
    expect(failOnFor(undefined, undefined)).toBe('high')
    expect(failOnFor(undefined, 'medium')).toBe('medium')
    expect(failOnFor('critical', 'medium')).toBe('critical')
    expect(failOnFor('none', 'low')).toBeUndefined()
  })
})

describe('locateCheckProject', () => {
  const manifestText = 'name: shop\nservices:\n  web: { image: "x:1", port: 8080 }\ntargets:\n  onprem: { provider: docker }\nchecks:\n  failOn: high\n  skip:\n    - { id: DKR-004, reason: vendored }\n'

  it('finds the manifest upwards, roots the project there, and reads skips with their lines and target anchors', async () => {
    const { locateCheckProject } = await import('../../src/checks/project.js')
    const root = mkdtempSync(path.join(tmpdir(), 'strato-locate-'))
    writeFileSync(path.join(root, 'strato.yaml'), manifestText)
    mkdirSync(path.join(root, 'services/web'), { recursive: true })
    const project = locateCheckProject({}, path.join(root, 'services/web'))
    expect(project.root).toBe(root)
    expect(project.skips).toEqual([{ id: 'DKR-004', reason: 'vendored', file: 'strato.yaml', line: 9 }])
    expect(project.targetAnchors).toEqual({ onprem: { path: 'strato.yaml', line: 5 } })
    expect(project.loaded?.manifest.checks?.failOn).toBe('high')
  })

  it('works without a manifest, and warns when the manifest does not validate', async () => {
    const { locateCheckProject } = await import('../../src/checks/project.js')
    const bare = mkdtempSync(path.join(tmpdir(), 'strato-locate-'))
    expect(locateCheckProject({ dir: bare }, '/')).toMatchObject({ root: bare, manifestFile: undefined, skips: [], warnings: [] })
    writeFileSync(path.join(bare, 'strato.yaml'), 'name: shop\nservices: {}\nchecks: { failOn: urgent }\n')
    const invalid = locateCheckProject({ dir: bare }, '/')
    expect(invalid.loaded).toBeUndefined()
    expect(invalid.warnings).toEqual(['strato.yaml is not valid, so its checks settings (failOn, skip, requiredTags) are not applied; see the CHK-001 finding.'])
    expect(() => locateCheckProject({ dir: path.join(bare, 'missing') }, '/')).toThrow(/No folder at/)
  })
})
