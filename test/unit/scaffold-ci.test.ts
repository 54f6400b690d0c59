/**
 * The starter repos' CI: the GitHub workflow as GitHub's own parser reads it,
 * the GitLab pipeline's jobs and what their scripts refer to, and the script
 * that keeps one pull-request comment per change, run against a fake API.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { createRequire } from 'node:module'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { GATE_MARKER } from '../../src/gate/markdown.js'
import { resolveShopOptions, type RawShopOptions } from '../../src/scaffold/options.js'
import { descriptorOf } from '../../providers/descriptors.js'
import { renderShop, type FileMap } from '../../src/scaffold/shop.js'
import { readTemplateTree, templatesRoot } from '../../src/scaffold/template-tree.js'

const templates = readTemplateTree(templatesRoot())
const render = (raw: RawShopOptions): FileMap => renderShop(resolveShopOptions({ name: 'shop', ...raw }), templates, descriptorOf, { version: '1.2.3' })

const TARGET_SETS = [['docker'], ['aws'], ['azure'], ['gcp'], ['docker', 'aws', 'azure', 'gcp']]
const VARIANTS: RawShopOptions[] = TARGET_SETS.flatMap((targets, index) => [
  { targets, runtime: index % 2 ? 'python' : 'node', services: index === 3 ? 'users' : undefined },
  { targets, runtime: index % 2 ? 'node' : 'python' },
])

interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Job { if?: string; needs?: string | string[]; permissions?: Record<string, string>; steps: Step[]; env?: Record<string, string>; 'runs-on': string }

async function githubErrors(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'ci.yml', content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map((error) => error.message)
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value)
    errors.push(...(template.errors ?? []).map((error) => error.Message))
  }
  return errors
}

describe('the GitHub Actions workflow', () => {
  it.each(VARIANTS)('passes GitHub\'s workflow parser: %o', async (raw) => {
    const files = render({ ...raw, ci: 'github' })
    expect(await githubErrors(files['.github/workflows/ci.yml'])).toEqual([])
    // the parser does flag a broken workflow, so an empty list means something
    expect(await githubErrors(files['.github/workflows/ci.yml'].replace('runs-on: ubuntu-24.04', 'run-on: ubuntu-24.04'))).not.toEqual([])
  })

  it('tests and builds each service, gates pull requests and deploys the default branch', () => {
    const files = render({ targets: ['docker', 'aws'], services: 'users,orders' })
    const ci = parse(files['.github/workflows/ci.yml'])
    const jobs = ci.jobs as Record<string, Job>
    expect(Object.keys(jobs)).toEqual(['test', 'gate', 'deploy'])
    expect(ci.jobs.test.strategy.matrix.service).toEqual(['users', 'orders'])
    expect(jobs.test.steps.map((step) => step.run ?? step.uses)).toEqual([
      'actions/checkout@v4', 'actions/setup-node@v4', 'npm install --no-audit --no-fund', 'npm test',
      'docker build ${BASE_IMAGE:+--build-arg "BASE_IMAGE=$BASE_IMAGE"} --tag "shop-$SERVICE:ci" .',
    ])

    expect(jobs.gate.if).toBe("github.event_name == 'pull_request'")
    expect(jobs.gate.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'security-events': 'write', 'id-token': 'write' })
    expect(jobs.gate.steps[0].with).toEqual({ 'fetch-depth': 0 })
    const gate = jobs.gate.steps.find((step) => step.name === 'strato gate')!
    expect(gate.run).toContain('strato gate --base "origin/$BASE_REF" $offline --markdown gate.md --sarif strato.sarif --junit gate.xml')
    expect(jobs.gate.steps.find((step) => step.name === 'Report on the run summary')!.run).toBe('cat gate.md >> "$GITHUB_STEP_SUMMARY"')
    expect(jobs.gate.steps.find((step) => step.uses === 'github/codeql-action/upload-sarif@v3')!.with).toEqual({ sarif_file: 'strato.sarif', category: 'strato' })

    expect(jobs.deploy.if).toContain('github.event.repository.default_branch')
    expect(jobs.deploy.env).toEqual({ STRATO_TARGETS: '${{ inputs.targets || vars.STRATO_TARGETS }}' })
    expect(jobs.deploy.steps.at(-1)!.run).toBe('sh ci/deploy.sh')
    expect(files['ci/deploy.sh']).toContain('strato deploy --target "$target" --yes')
  })

  it('installs the strato that wrote it, pinned, unless STRATO_PACKAGE names a vendored one', () => {
    const ci = parse(render({})['.github/workflows/ci.yml'])
    expect(ci.env.STRATO_PACKAGE).toBe("${{ vars.STRATO_PACKAGE || 'strato@1.2.3' }}")
    for (const job of ['gate', 'deploy']) {
      expect((ci.jobs[job] as Job).steps.find((step) => step.name === 'Install strato')!.run).toBe('npm install --global --no-audit --no-fund "$STRATO_PACKAGE"')
    }
    expect(JSON.stringify(ci)).not.toMatch(/npx/)
  })

  it('logs in to each cloud target through OIDC, and to no other; no key is ever read', () => {
    const uses = (raw: RawShopOptions) => {
      const ci = parse(render(raw)['.github/workflows/ci.yml'])
      return (ci.jobs.deploy as Job).steps.map((step) => step.uses).filter((action) => action && !action.startsWith('actions/'))
    }
    expect(uses({ targets: ['docker'] })).toEqual([])
    expect(uses({ targets: ['aws', 'gcp'] })).toEqual(['aws-actions/configure-aws-credentials@v4', 'google-github-actions/auth@v2'])
    expect(uses({ targets: ['azure'] })).toEqual(['azure/login@v2'])
    const all = render({ targets: ['docker', 'aws', 'azure', 'gcp'] })['.github/workflows/ci.yml']
    expect(all).not.toMatch(/secrets\.|aws-access-key-id|aws-secret-access-key|client-secret|credentials_json|creds:/)
    expect(parse(render({ targets: ['docker'] })['.github/workflows/ci.yml']).jobs.deploy.permissions).toEqual({ contents: 'read' })
  })

  it('the comment step keeps one comment per pull request, updated only when the report changed', async () => {
    const ci = parse(render({})['.github/workflows/ci.yml'])
    const script = (ci.jobs.gate as Job).steps.find((step) => step.uses === 'actions/github-script@v7')!.with!.script
    expect(script).toContain(GATE_MARKER)
    const report = `## ✅ strato gate passed\n\n${GATE_MARKER}\n`
    const run = async (comments: { id: number; body: string; user: { type: string } }[]) => {
      const calls: string[] = []
      const github = {
        paginate: async () => comments,
        rest: { issues: {
          listComments: {},
          createComment: async (args: { body: string }) => { calls.push(`create ${args.body === report}`) },
          updateComment: async (args: { comment_id: number; body: string }) => { calls.push(`update ${args.comment_id} ${args.body === report}`) },
        } },
      }
      const context = { repo: { owner: 'acme', repo: 'shop' }, issue: { number: 7 } }
      const fakeRequire = (name: string) => (name === 'node:fs' ? { readFileSync: () => report } : createRequire(import.meta.url)(name))
      // the same wrapper actions/github-script puts around the script
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor
      await new AsyncFunction('require', 'github', 'context', script)(fakeRequire, github, context)
      return calls
    }
    expect(await run([])).toEqual(['create true'])
    expect(await run([{ id: 1, body: `old ${GATE_MARKER}`, user: { type: 'User' } }])).toEqual(['create true'])
    expect(await run([{ id: 2, body: `## ❌ strato gate failed\n${GATE_MARKER}`, user: { type: 'Bot' } }])).toEqual(['update 2 true'])
    expect(await run([{ id: 3, body: report, user: { type: 'Bot' } }])).toEqual([])
  })
})

describe('the GitLab pipeline', () => {
  interface GitlabJob { stage?: string; extends?: string; needs?: string[]; script?: string[]; before_script?: string[]; after_script?: string[]; parallel?: { matrix: { SERVICE: string[] }[] }; rules?: { if: string }[]; id_tokens?: Record<string, { aud: string }> }

  it.each(VARIANTS)('has jobs whose stages, extends, needs and referenced files all exist: %o', (raw) => {
    const files = render({ ...raw, ci: 'gitlab' })
    expect(files['.github/workflows/ci.yml']).toBeUndefined()
    const pipeline = parse(files['.gitlab-ci.yml']) as Record<string, unknown> & { stages: string[] }
    const jobs = Object.entries(pipeline).filter(([name]) => !['workflow', 'stages', 'variables'].includes(name) && !name.startsWith('.')) as [string, GitlabJob][]
    expect(jobs.map(([name]) => name)).toEqual(['test', 'build-image', 'gate', 'deploy'])
    const services = (pipeline['.each-service'] as GitlabJob).parallel!.matrix[0].SERVICE
    expect(services).toEqual(resolveShopOptions({ name: 'shop', ...raw }).services)
    for (const [name, job] of jobs) {
      expect(pipeline.stages, name).toContain(job.stage)
      if (job.extends) expect(pipeline[job.extends], name).toBeDefined()
      for (const need of job.needs ?? []) expect(jobs.map(([other]) => other), name).toContain(need)
      const lines = [...(job.before_script ?? []), ...(job.script ?? []), ...(job.after_script ?? [])]
      for (const line of lines) {
        for (const [, file] of line.matchAll(/(?:sh|node) (ci\/[\w.-]+)/g)) expect(files[file], `${name}: ${file}`).toBeDefined()
        if (line.includes('cd "services/$SERVICE"')) for (const service of services) expect(files[`services/${service}/Dockerfile`], service).toBeDefined()
      }
    }
    const script = (job: string) => (pipeline[job] as GitlabJob).script!.join('\n')
    expect(script('gate')).toContain('strato gate --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" $STRATO_GATE_FLAGS --markdown gate.md --sarif strato.sarif --junit gate.xml')
    expect(script('deploy')).toBe('sh ci/deploy.sh')
    expect((pipeline.variables as Record<string, unknown>).STRATO_PACKAGE).toBe('strato@1.2.3')
    const tokens = Object.keys((pipeline.deploy as GitlabJob).id_tokens ?? {})
    const targets = resolveShopOptions({ name: 'shop', ...raw }).targets
    expect(tokens).toEqual(['aws', 'azure', 'gcp'].filter((kind) => targets.includes(kind as never)).map((kind) => `${kind.toUpperCase()}_ID_TOKEN`))
    expect(files['.gitlab-ci.yml']).not.toMatch(/AWS_SECRET_ACCESS_KEY|AZURE_CLIENT_SECRET|credentials_json/)
  })
})

describe('--ci none', () => {
  it('writes no pipeline, no CI scripts and no CI section in the README', () => {
    const files = render({ ci: 'none' })
    expect(Object.keys(files).filter((file) => /^(\.github|\.gitlab-ci|ci\/)/.test(file))).toEqual([])
    expect(files['README.md']).not.toContain('## CI and deploys')
  })
})
