import { describe, expect, it } from 'vitest'
import { descriptorOf } from '../../providers/descriptors.js'
import { checkManifest, formatProblem, parseManifest } from '../../src/manifest/load.js'
import { UserError } from '../../src/errors.js'

const VALID = `name: shop
services:
  users:
    build: ./services/users
    port: 8080
    health: /healthz
    env: { LOG_LEVEL: info }
    secrets: [DB_PASSWORD]
    resources: { cpu: 0.5, memory: 256Mi }
    replicas: 2
    autoscale: { min: 2, max: 10, target: { cpu: 60 }, cooldown: 60s }
  db:
    image: postgres:16.4-bookworm
    port: 5432
loadBalancer: { algorithm: least-conn }
targets:
  onprem: { provider: docker, hosts: [unix:///var/run/docker.sock, ssh://ops@db1], mode: swarm }
  aws: { provider: aws, region: eu-west-1, instanceType: t3.small }
  azure: { provider: azure, location: westeurope, vmSize: Standard_B2s }
  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b, machineType: e2-small }
placement:
  - { target: onprem, max: 6 }
  - { target: aws, max: 20 }
budgets: { monthly: 500 }
checks: { failOn: high, skip: [{ id: DKR-004, reason: "base image is rebuilt nightly", until: 2027-03-01 }] }
`

function problems(text: string): string[] {
  return checkManifest(text, 'strato.yaml', descriptorOf).problems.map(formatProblem)
}

/** The valid manifest with one line replaced. */
function withLine(from: string, to: string): string {
  if (!VALID.includes(from)) throw new Error(`fixture lacks ${from}`)
  return VALID.replace(from, to)
}

describe('manifest validation', () => {
  it('accepts the full example from the design', () => {
    expect(problems(VALID)).toEqual([])
    const loaded = parseManifest(VALID, 'strato.yaml', '/project/strato.yaml')
    expect(loaded.manifest.services.users.autoscale?.max).toBe(10)
    expect(loaded.dir).toBe('/project')
    expect(loaded.locate(['services', 'users', 'port'])).toEqual({ line: 5, col: 11 })
  })

  it.each([
    ['a misspelt top-level key', withLine('budgets:', 'budgtes:'),
      'strato.yaml:24:1 budgtes: unknown key; did you mean "budgets"?'],
    ['a misspelt service key', withLine('    replicas: 2', '    replica: 2'),
      'strato.yaml:10:5 services.users.replica: unknown key; did you mean "replicas"?'],
    ['an unknown key far from any known one', withLine('    replicas: 2', '    colour: 2\n    replicas: 2'),
      'strato.yaml:10:5 services.users.colour: unknown key (allowed: build, image, command, port, health, env, secrets, resources, replicas, autoscale, weight, volumes, restart, privileged, network, user, dependsOn, targets)'],
    ['a port given as a string', withLine('port: 8080', 'port: "8080"'),
      'strato.yaml:5:11 services.users.port: expected a number, got "8080"'],
    ['a port out of range', withLine('port: 8080', 'port: 70000'),
      'strato.yaml:5:11 services.users.port: must be <= 65535, got 70000'],
    ['a bad duration', withLine('cooldown: 60s', 'cooldown: 60x'),
      'strato.yaml:11:66 services.users.autoscale.cooldown: must be a duration such as 30s, 5m or 1h, got "60x"'],
    ['a bad memory size', withLine('memory: 256Mi', 'memory: 256MB'),
      'strato.yaml:9:36 services.users.resources.memory: must be a size such as 256Mi, 1Gi or 512M, got "256MB"'],
    ['a misspelt load-balancing algorithm', withLine('least-conn', 'least-con'),
      'strato.yaml:15:28 loadBalancer.algorithm: expected one of round-robin | least-conn | weighted | consistent-hash, got "least-con"; did you mean "least-conn"?'],
    ['a misspelt provider', withLine('provider: docker', 'provider: dokcer'),
      'strato.yaml:17:23 targets.onprem.provider: expected one of docker | aws | azure | gcp, got "dokcer"; did you mean "docker"?'],
    ['a region typo', withLine('region: eu-west-1', 'region: eu-wset-1'),
      'strato.yaml:18:33 targets.aws.region: must be an AWS region such as eu-west-1 or us-east-1, got "eu-wset-1"; did you mean "eu-west-1"?'],
    ['a key of another provider', withLine('instanceType: t3.small', 'vmSize: t3.small'),
      'strato.yaml:18:44 targets.aws.vmSize: unknown key (allowed: provider, region, instanceType, profile, endpoint, vpc, subnets, registry, ami)'],
    ['a bad docker host', withLine('ssh://ops@db1', 'db1'),
      'strato.yaml:17:68 targets.onprem.hosts.1: must be a Docker host address: unix:///path, ssh://user@host or tcp://host:port, got "db1"'],
    ['placement naming an unknown target', withLine('target: aws, max: 20', 'target: awz, max: 20'),
      'strato.yaml:23:15 placement.1.target: unknown target "awz"; known: onprem, aws, azure, gcp'],
    ['a service with neither build nor image', withLine('    image: postgres:16.4-bookworm\n', ''),
      'strato.yaml:12:3 services.db: needs either build (a folder with a Dockerfile) or image (an image reference)'],
    ['an image pinned to latest', withLine('postgres:16.4-bookworm', 'postgres:latest'),
      'strato.yaml:13:12 services.db.image: pin a version tag or digest instead of "latest", so deploys are repeatable'],
    ['a project name that is not a DNS label', withLine('name: shop', 'name: My_Shop'),
      'strato.yaml:1:7 name: must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, got "My_Shop"'],
    ['a misspelt severity', withLine('failOn: high', 'failOn: hgh'),
      'strato.yaml:25:19 checks.failOn: expected one of critical | high | medium | low, got "hgh"; did you mean "high"?'],
    ['an impossible date', withLine('until: 2027-03-01', 'until: 2027-13-01'),
      'strato.yaml:25:95 checks.skip.0.until: must be a date as YYYY-MM-DD, got "2027-13-01"'],
    ['replicas outside the autoscale range', withLine('replicas: 2', 'replicas: 12'),
      'strato.yaml:10:15 services.users.replicas: must be within autoscale min..max (2..10)'],
    ['a health path without a leading slash', withLine('health: /healthz', 'health: healthz'),
      'strato.yaml:6:13 services.users.health: must be an HTTP path starting with /, got "healthz"'],
    ['a secret name that is not an environment variable', withLine('secrets: [DB_PASSWORD]', 'secrets: [db-password]'),
      'strato.yaml:8:15 services.users.secrets.0: must be an environment variable name: letters, digits and underscores, not starting with a digit, got "db-password"'],
  ])('reports %s', (_what, text, expected) => {
    expect(problems(text)).toEqual([expected])
  })

  it('reports autoscale max below min, and replicas that no longer fit', () => {
    expect(problems(withLine('min: 2, max: 10', 'min: 2, max: 1'))).toEqual([
      'strato.yaml:10:15 services.users.replicas: must be within autoscale min..max (2..1)',
      'strato.yaml:11:31 services.users.autoscale.max: must be >= min (2)',
    ])
  })

  it('reports a missing required key at its parent', () => {
    expect(problems('name: shop\n')).toEqual(['strato.yaml:1:1 services: is required (a mapping)'])
  })

  it('reports several problems in one run, in file order', () => {
    const text = withLine('budgets:', 'budgtes:').replace('port: 8080', 'port: "8080"').replace('provider: docker', 'provider: dokcer')
    expect(problems(text).map((line) => line.split(' ')[0])).toEqual(['strato.yaml:5:11', 'strato.yaml:17:23', 'strato.yaml:24:1'])
  })

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: shop\nservices:\n  users: [\n')).toEqual([expect.stringMatching(/^strato\.yaml:4:1 YAML syntax: /)])
    expect(problems('name: shop\nname: again\nservices: {}\n')).toEqual(['strato.yaml:2:1 YAML syntax: map keys must be unique'])
  })

  it('rejects a document that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['strato.yaml:1:1 expected a mapping with at least name and services'])
  })

  it('throws one usage error (exit 2) carrying every problem for commands', () => {
    const run = () => parseManifest(withLine('budgets:', 'budgtes:').replace('port: 8080', 'port: "8080"'), 'strato.yaml')
    expect(run).toThrow(UserError)
    try {
      run()
    } catch (error) {
      const userError = error as UserError
      expect(userError.exitCode).toBe(2)
      expect(userError.message).toBe('strato.yaml is not valid (2 problems).')
      expect(userError.options.details).toHaveLength(2)
    }
  })
})
