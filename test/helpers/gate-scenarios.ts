/**
 * Gate inputs built in memory from real checks and estimates: the files of a
 * base and a head, their manifests priced with the shipped catalog, and plan
 * outcomes as providers would report them. Shared by the gate's unit and
 * golden tests.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { runChecks, type ProjectFile } from '../../src/checks/engine.js'
import { checkEstimateBudget } from '../../src/costs/estimate-report.js'
import { SHIPPED_CATALOG } from '../../src/costs/catalog.js'
import { diffEstimates } from '../../src/costs/diff.js'
import { estimateManifest } from '../../src/costs/estimate.js'
import { descriptorOf } from '../../providers/descriptors.js'
import { parseIncreaseLimit } from '../../src/gate/cost-limits.js'
import type { GateInput, TargetPlan } from '../../src/gate/result.js'
import { checkManifest, parseManifest } from '../../src/manifest/load.js'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/cost/diff')
export const TODAY = '2026-11-15'
const BASE_YAML = readFileSync(path.join(FIXTURES, 'base.yaml'), 'utf8')
const HEAD_YAML = readFileSync(path.join(FIXTURES, 'head.yaml'), 'utf8')

const SAFE_DOCKERFILE = 'FROM node:24.11.1-bookworm-slim\nUSER 1000:1000\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "main.js"]\n'
// An existing problem (latest tag) that both sides keep, and the head adds root and a literal secret.
const BASE_DOCKERFILE = 'FROM node:latest\nUSER 1000:1000\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "main.js"]\n'
const HEAD_DOCKERFILE = 'FROM node:latest\nUSER root\nENV API_TOKEN=not-a-real-token\nHEALTHCHECK CMD ["node", "health.js"]\nCMD ["node", "main.js"]\n'

const files = (manifest: string, dockerfile: string): ProjectFile[] => [
  { path: 'services/users/Dockerfile', text: dockerfile, role: 'dockerfile' },
  { path: 'strato.yaml', text: manifest, role: 'manifest' },
]

const check = (projectFiles: ProjectFile[]) => runChecks({ files: projectFiles, facts: [], skips: [] }, { today: TODAY })
const estimate = (text: string) => estimateManifest(parseManifest(text, 'strato.yaml').manifest, SHIPPED_CATALOG, descriptorOf)

function costOf(baseYaml: string, headYaml: string, limits: string[], budget?: number): GateInput['cost'] {
  const head = estimate(headYaml)
  return {
    diff: diffEstimates(estimate(baseYaml), head),
    budget: budget === undefined ? undefined : checkEstimateBudget(head, budget, 'expected'),
    limits: limits.map(parseIncreaseLimit),
    notes: [],
  }
}

const planned = (target: string, provider: string, needed: boolean, actions: Extract<TargetPlan, { status: 'planned' }>['actions']): TargetPlan =>
  ({ target, provider, status: 'planned', needed, actions })

const BASE = { ref: 'origin/main', commit: '5d2c0f6a9e1b7c3d4f5a6b7c8d9e0f1a2b3c4d5e' }

/** Nothing new: the head is the base; one finding already present, within budget, every target planned without changes. */
export function passingInput(): GateInput {
  return {
    base: BASE,
    manifest: { file: 'strato.yaml', problems: [] },
    findings: { head: check(files(BASE_YAML, BASE_DOCKERFILE)), base: check(files(BASE_YAML, BASE_DOCKERFILE)), failOn: 'high', failOnExisting: false },
    cost: costOf(BASE_YAML, BASE_YAML, ['10%'], 500),
    plan: {
      offline: false,
      targets: [planned('aws', 'aws', false, [
        { kind: 'noop', target: 'aws', service: 'users', from: 2, to: 2, toVersion: '4be1c07a9d21', reasons: [] },
        { kind: 'noop', target: 'aws', service: 'orders', from: 1, to: 1, toVersion: '0c9e55b1f3aa', reasons: [] },
      ])],
    },
  }
}

/** Every gate fails: new high and critical findings, the cost over both limits and the budget; one untouched target unreachable. */
export function failingInput(): GateInput {
  return {
    base: BASE,
    manifest: { file: 'strato.yaml', problems: [] },
    findings: { head: check(files(HEAD_YAML, HEAD_DOCKERFILE)), base: check(files(BASE_YAML, BASE_DOCKERFILE)), failOn: 'high', failOnExisting: false },
    cost: costOf(BASE_YAML, HEAD_YAML, ['20', '10%'], 100),
    plan: {
      offline: false,
      targets: [
        planned('aws', 'aws', true, [
          { kind: 'scale', target: 'aws', service: 'users', from: 2, to: 3, fromVersion: '4be1c07a9d21', toVersion: '4be1c07a9d21', reasons: ['replicas 2 -> 3'] },
          { kind: 'noop', target: 'aws', service: 'orders', from: 1, to: 1, toVersion: '0c9e55b1f3aa', reasons: [] },
          { kind: 'delete', target: 'aws', service: 'legacy', from: 1, to: 0, fromVersion: '93a7d0c2e4f1', reasons: ['not in strato.yaml'] },
        ]),
        { target: 'gcp', provider: 'gcp', status: 'unsupported', needed: true, message: 'The gcp provider (target "gcp") is not supported yet.' },
        { target: 'onprem', provider: 'docker', status: 'unreachable', needed: false, message: 'The Docker daemon at ssh://ops@db1 cannot be reached.' },
      ],
    },
  }
}

/** A manifest with problems: only the findings are judged. */
export function invalidManifestInput(): GateInput {
  const text = HEAD_YAML.replace('replicas: 3', 'replicas: three').replace('image: local/node:24', 'imagee: local/node:24')
  return {
    base: BASE,
    manifest: { file: 'strato.yaml', problems: checkManifest(text, 'strato.yaml').problems },
    findings: { head: check(files(text, BASE_DOCKERFILE)), base: check(files(BASE_YAML, BASE_DOCKERFILE)), failOn: 'high', failOnExisting: false },
  }
}
