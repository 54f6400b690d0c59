/**
 * The starter repos' CI, run here as far as it can run without GitHub or
 * GitLab: the generated workflow's own steps (each service's tests and image
 * build, strato installed from a tarball made by `npm pack`, `strato gate` on
 * a real two-commit pull request with its report on the run summary, the
 * deploy script), the GitLab pipeline against GitLab's CI schema as
 * gitlab-ci-local applies it, and the merge-request note script against a
 * fake GitLab API.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { parse, parseDocument } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docker, ensureDockerEngine } from '../helpers/docker.js'
import { root, strato, stratoJson } from '../helpers/strato.js'
import { runStep, stepNamed, type Workflow } from '../helpers/workflow-steps.js'

const work = mkdtempSync(path.join(tmpdir(), 'strato-ci-e2e-'))
const PROJECT = `ci-e2e-${process.pid}`
const SERVICES = ['users', 'orders', 'payments']
const GIT_ENV = { GIT_AUTHOR_NAME: 'CI Test', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'CI Test', GIT_COMMITTER_EMAIL: 'ci@example.com' }
// npm install --global lands here, not in the machine's own prefix
const prefix = path.join(work, 'npm-global')
const cleanups: (() => Promise<unknown>)[] = []
let tarball = ''

const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: GIT_ENV })

beforeAll(async () => {
  await ensureDockerEngine()
  // The package as it would be published: what `npm pack` makes from the built tree.
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: root })
  tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename)
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

async function scaffold(name: string, args: string[]): Promise<string> {
  const dir = path.join(work, name)
  await stratoJson(['new', PROJECT, '--dir', dir, ...args])
  return dir
}

describe('the scaffolded GitHub workflow, step by step', () => {
  let dir = ''
  let workflow: Workflow
  const stepEnv = () => ({ npm_config_prefix: prefix, PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`, HOME: work, ...GIT_ENV })

  it('is scaffolded by default, and the repo passes validate and check', async () => {
    dir = await scaffold('github', ['--target', 'docker', '--target', 'aws'])
    workflow = parse(readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf8')) as Workflow
    expect(Object.keys(workflow.jobs)).toEqual(['test', 'gate', 'deploy'])
    expect((await strato(['validate'], { cwd: dir })).exitCode).toBe(0)
    const check = await strato(['check', '--fail-on', 'medium'], { cwd: dir })
    expect(check.exitCode, check.stdout).toBe(0)
  })

  it('test job: each service installs, passes its tests and builds its image with the workflow\'s own commands', async () => {
    for (const service of SERVICES) {
      cleanups.push(() => docker(['image', 'rm', '--force', `${PROJECT}-${service}:ci`]))
      const contexts = { vars: { BASE_IMAGE: 'local/node:24' }, matrix: { service }, github: {}, inputs: {} }
      for (const name of ['Install', 'Test', 'Build the image']) {
        const result = await runStep(workflow, 'test', stepNamed(workflow, 'test', name), { cwd: dir, contexts, env: stepEnv() })
        expect(result.exitCode, `${service}: ${name}\n${result.output}`).toBe(0)
      }
      const user = await docker(['image', 'inspect', `${PROJECT}-${service}:ci`, '--format', '{{.Config.User}}'])
      expect(user).toBe('1000:1000')
    }
  })

  it('gate job: strato from the packed tarball judges a real two-commit pull request, and the report reaches the run summary', async () => {
    // The repository as a pull request sees it: main pushed to origin, a change on a branch, fetched with full history.
    await git(dir, 'init', '--quiet', '--initial-branch', 'main')
    await git(dir, 'add', '--all')
    await git(dir, 'commit', '--quiet', '--message', 'scaffold')
    await git(work, 'init', '--quiet', '--bare', 'origin.git')
    await git(dir, 'remote', 'add', 'origin', path.join(work, 'origin.git'))
    await git(dir, 'push', '--quiet', 'origin', 'main')
    await git(dir, 'checkout', '--quiet', '-b', 'more-orders')
    const manifest = path.join(dir, 'strato.yaml')
    const document = parseDocument(readFileSync(manifest, 'utf8'))
    // placement keeps 6 replicas of a service on the local target: two more overflow to aws, which has a price
    document.setIn(['services', 'orders', 'replicas'], 8)
    writeFileSync(manifest, document.toString())
    const dockerfile = path.join(dir, 'services/orders/Dockerfile')
    writeFileSync(dockerfile, readFileSync(dockerfile, 'utf8').replace('USER 1000:1000', 'USER root'))
    await git(dir, 'commit', '--quiet', '--all', '--message', 'orders: eight replicas, as root')
    await git(dir, 'fetch', '--quiet', 'origin')

    const contexts = { vars: { STRATO_PACKAGE: tarball }, github: { base_ref: 'main' }, matrix: {}, inputs: {} }
    const install = await runStep(workflow, 'gate', stepNamed(workflow, 'gate', 'Install strato'), { cwd: dir, contexts, env: stepEnv() })
    expect(install.exitCode, install.output).toBe(0)
    expect((await execa(path.join(prefix, 'bin/strato'), ['--version'])).stdout).toMatch(/^strato\/0\.1\.0 /)

    const gate = await runStep(workflow, 'gate', stepNamed(workflow, 'gate', 'strato gate'), { cwd: dir, contexts, env: stepEnv() })
    expect(gate.exitCode, gate.output).toBe(3)
    const summary = path.join(work, 'step-summary.md')
    writeFileSync(summary, '')
    const report = await runStep(workflow, 'gate', stepNamed(workflow, 'gate', 'Report on the run summary'), { cwd: dir, contexts, env: { ...stepEnv(), GITHUB_STEP_SUMMARY: summary } })
    expect(report.exitCode, report.output).toBe(0)

    const markdown = readFileSync(summary, 'utf8')
    expect(markdown).toBe(readFileSync(path.join(dir, 'gate.md'), 'utf8'))
    expect(markdown.split('\n')[0]).toBe('## ❌ strato gate failed')
    expect(markdown).toContain('Compared with the merge base of this change and `origin/main`.')
    expect(markdown).toContain('| ❌ | New findings at or above high | 1 new finding at or above high |')
    expect(markdown).toContain('| high | DKR-001 Container runs as root | `services/orders/Dockerfile:23` | The final stage ends with USER root. |')
    // at 8 replicas 2 overflow to aws (expected); min (2) and max (10, so 4 on aws) do not change;
    // the target's shared balancer is paid while a service runs there
    expect(markdown).toContain('| (shared balancer) | aws | changed | 0.00 | 18.39 | 0.00 | +18.39 | 0.00 |')
    expect(markdown).toContain('| orders | aws | changed | 0.00 | 34.70 | 0.00 | +34.70 | 0.00 |')
    expect(markdown).toContain('| **Total** |  |  | 0.00 | 53.09 | 0.00 | +53.09 | 0.00 |')
    expect(markdown).toContain('<summary>Plan: skipped (--offline)</summary>')
    const sarif = JSON.parse(readFileSync(path.join(dir, 'strato.sarif'), 'utf8'))
    expect(sarif.runs[0].results.filter((result: { baselineState: string }) => result.baselineState === 'new').map((result: { ruleId: string }) => result.ruleId)).toEqual(['DKR-001'])
    expect(readFileSync(path.join(dir, 'gate.xml'), 'utf8')).toContain('<failure message="1 new finding at or above high" type="gate">')
  })

  it('deploy job: with no targets named, the deploy script deploys nothing and says how to name them', async () => {
    const contexts = { vars: {}, github: {}, matrix: {}, inputs: {} }
    const deploy = await runStep(workflow, 'deploy', stepNamed(workflow, 'deploy', 'strato deploy'), { cwd: dir, contexts, env: stepEnv() })
    expect(deploy.exitCode, deploy.output).toBe(0)
    expect(deploy.output).toContain('No targets to deploy: set STRATO_TARGETS (for example "local aws")')
  })
})

describe('the scaffolded GitLab pipeline', () => {
  const gitlabCiLocal = path.join(root, 'node_modules/gitlab-ci-local/dist/index.js')

  async function validate(dir: string) {
    return execa(process.execPath, [gitlabCiLocal, '--list', '--variable', 'CI_PIPELINE_SOURCE=merge_request_event', '--variable', 'CI_MERGE_REQUEST_IID=1'], {
      cwd: dir, reject: false, all: true, env: { ...GIT_ENV, HOME: work },
    })
  }

  it('passes GitLab\'s CI schema, as gitlab-ci-local applies it, and a broken copy does not', async () => {
    const dir = await scaffold('gitlab', ['--target', 'docker', '--target', 'aws', '--target', 'azure', '--target', 'gcp', '--ci', 'gitlab'])
    expect(existsSync(path.join(dir, '.github'))).toBe(false)
    await git(dir, 'init', '--quiet', '--initial-branch', 'main')
    await git(dir, 'add', '--all')
    await git(dir, 'commit', '--quiet', '--message', 'scaffold')
    const valid = await validate(dir)
    expect(valid.exitCode, valid.all).toBe(0)
    for (const job of ['test', 'build-image', 'gate']) expect(valid.all).toMatch(new RegExp(`^${job}\\b`, 'm'))
    const pipeline = path.join(dir, '.gitlab-ci.yml')
    writeFileSync(pipeline, readFileSync(pipeline, 'utf8').replace('  resource_group: production', '  resource_groups: production'))
    const broken = await validate(dir)
    expect(broken.exitCode).not.toBe(0)
    expect(broken.all).toContain("'resource_groups' property is not expected to be here")
  })

  it('the merge-request note script posts the report once, then updates that note in place', async () => {
    const dir = await scaffold('gitlab-note', ['--ci', 'gitlab'])
    const notes: { id: number; body: string }[] = [{ id: 1, body: 'a reviewer\'s note' }]
    const requests: string[] = []
    const body = async (request: IncomingMessage) => {
      let text = ''
      for await (const chunk of request) text += chunk
      return text ? JSON.parse(text) as { body: string } : undefined
    }
    const server = createServer(async (request, response) => {
      requests.push(`${request.method} ${request.url} ${request.headers['private-token']}`)
      const payload = await body(request)
      const send = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json', 'x-next-page': '' }).end(JSON.stringify(value))
      if (request.method === 'GET') return send(notes)
      if (request.method === 'POST') {
        notes.push({ id: notes.length + 1, body: payload!.body })
        return send(notes.at(-1))
      }
      const note = notes.find((item) => request.url!.endsWith(`/notes/${item.id}`))!
      note.body = payload!.body
      return send(note)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`
    const env = { GITLAB_TOKEN: 'test-token', CI_API_V4_URL: api, CI_PROJECT_ID: 'acme/shop', CI_MERGE_REQUEST_IID: '7' }
    const post = async (report: string) => {
      writeFileSync(path.join(dir, 'gate.md'), report)
      return execa(process.execPath, ['ci/gitlab-mr-note.mjs', 'gate.md'], { cwd: dir, env })
    }
    expect((await post('## ❌ strato gate failed\n\n<!-- strato:gate -->\n')).stdout).toBe('Posted the gate report note.')
    expect((await post('## ✅ strato gate passed\n\n<!-- strato:gate -->\n')).stdout).toBe('Updated the gate report note 2.')
    await post('## ✅ strato gate passed\n\n<!-- strato:gate -->\n')
    expect(notes).toEqual([{ id: 1, body: 'a reviewer\'s note' }, { id: 2, body: '## ✅ strato gate passed\n\n<!-- strato:gate -->\n' }])
    expect(requests.filter((line) => !line.startsWith('GET'))).toEqual([
      'POST /api/v4/projects/acme%2Fshop/merge_requests/7/notes test-token',
      'PUT /api/v4/projects/acme%2Fshop/merge_requests/7/notes/2 test-token',
    ])
    const without = await execa(process.execPath, ['ci/gitlab-mr-note.mjs', 'gate.md'], { cwd: dir, env: { CI_MERGE_REQUEST_IID: '7' } })
    expect(without.stdout).toContain('not posted on the merge request')
  })
})
