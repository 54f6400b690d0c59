/**
 * The descriptors and the checks over them: what validate refuses (with the
 * line it is on and what to use instead), what commands refuse before acting,
 * and that every descriptor is consistent with the schema and the registry.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { capabilityIssues, notSupportedError, pricedPlacement, requireVerb, serviceTargets, unknownLocation, VERBS, type DescriptorLookup } from '../../src/capabilities.js'
import { UserError } from '../../src/errors.js'
import { checkManifest, formatProblem } from '../../src/manifest/load.js'
import { ManifestSchema, PROVIDER_KINDS, type Manifest, type Target } from '../../src/manifest/schema.js'
import { renderProviderTable, TABLE_END, TABLE_START } from '../../src/provider-table.js'
import { DESCRIPTORS, descriptorOf } from '../../providers/descriptors.js'

const problems = (text: string) => checkManifest(text, 'strato.yaml', descriptorOf).problems.map(formatProblem)

const HYBRID = `name: shop
services:
  orders:
    image: registry.example/orders:1.0.0
    port: 8080
    health: /healthz
    autoscale:
      min: 2
      max: 12
      target: { cpu: 60 }
      steps:
        - { metric: cpu, above: 85, change: 2 }
targets:
  onprem: { provider: docker }
  aws: { provider: aws, region: eu-west-1 }
  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b }
placement:
  - { target: onprem, max: 4 }
  - { target: aws, max: 4 }
  - { target: gcp }
`

describe('validate, against the targets\' descriptors', () => {
  it('refuses step rules on a gcp target, at the line that asks, and says what to use instead', () => {
    expect(problems(HYBRID)).toEqual([
      'strato.yaml:12:21 services.orders.autoscale.steps.0.metric: targets.gcp: GCP autoscalers have no step rules; use target.cpu or move steps to a docker target',
    ])
  })

  it('refuses a region that is not in the one list, with the closest one', () => {
    expect(problems(HYBRID.replace('region: eu-west-1', 'region: eu-west-4').replace('  - { target: gcp }\n', '').replace('  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n', ''))).toEqual([
      'strato.yaml:15:33 targets.aws.region: "eu-west-4" is not an AWS region; did you mean "eu-west-1"?',
    ])
    // a zone keeps its letter in the suggestion
    expect(problems(HYBRID.replace('zone: europe-west1-b', 'zone: europe-wst1-b').replace('        - { metric: cpu, above: 85, change: 2 }\n', '').replace('      steps:\n', ''))).toEqual([
      'strato.yaml:14:51 targets.gcp.zone: "europe-wst1-b" is not a GCP zone; did you mean "europe-west1-b"?',
    ])
  })

  it('refuses memory scaling on aws, schedules on docker and a scale-in limit on aws, once per target that cannot', () => {
    const text = HYBRID
      .replace('target: { cpu: 60 }', 'target: { cpu: 60, memory: 70 }')
      .replace('        - { metric: cpu, above: 85, change: 2 }\n', '        - { metric: cpu, above: 85, change: 2 }\n      schedule: [{ cron: "0 8 * * 1-5", min: 4 }]\n      scaleInLimit: { replicas: 1, window: 5m }\n')
      .replace('  - { target: gcp }\n', '').replace('  gcp: { provider: gcp, project: acme-prod, zone: europe-west1-b }\n', '')
    expect(problems(text)).toEqual([
      'strato.yaml:10:34 services.orders.autoscale.target.memory: targets.aws: EC2 reports no memory metric without the CloudWatch agent; use target.cpu or target.requests on aws targets, or scale on memory on a docker target',
      'strato.yaml:13:17 services.orders.autoscale.schedule: targets.onprem: strato\'s controller for docker targets has no schedules; run `strato scale SERVICE N` from cron, or place the service on an aws target',
      'strato.yaml:14:21 services.orders.autoscale.scaleInLimit: targets.aws: AWS target tracking has no scale-in rate limit; use a step rule with a negative change (e.g. { metric: cpu, below: 20, change: -1 }) with stabilization, or a docker target',
    ])
  })

  it('refuses what Azure autoscale cannot take: request targets, monthly crons, unknown time zones, each at its line', () => {
    const text = [
      'name: shop',
      'services:',
      '  orders:',
      '    image: registry.example/orders:1.0.0',
      '    port: 8080',
      '    autoscale:',
      '      min: 1',
      '      max: 4',
      '      target: { cpu: 60, requests: 100 }',
      '      schedule:',
      '        - { cron: "0 8 1 * *", min: 2 }',
      '        - { cron: "0 8 * * 1-5", timezone: Mars/Olympus }',
      '        - { cron: "30 19 * * 1-5", timezone: Europe/Berlin }',
      'targets:',
      '  azure: { provider: azure, location: westeurope }',
      '',
    ].join('\n')
    expect(problems(text)).toEqual([
      expect.stringMatching(/^strato\.yaml:9:36 services\.orders\.autoscale\.target\.requests: targets\.azure: the Azure Standard Load Balancer counts connections, not requests/),
      'strato.yaml:11:19 services.orders.autoscale.schedule.0.cron: targets.azure: Azure autoscale recurrences are weekly; "0 8 1 * *" names a day of the month or a month; use * for the day-of-month and month fields and pick week days in the last field (e.g. "0 8 * * 1-5")',
      'strato.yaml:12:44 services.orders.autoscale.schedule.1.timezone: targets.azure: Azure autoscale does not know the time zone "Mars/Olympus"; use UTC, a zone such as Europe/Berlin, or a Windows time zone name such as "W. Europe Standard Time"',
    ])
  })

  it('checks the embedded local docker target when the manifest names none', () => {
    expect(problems('name: shop\nservices:\n  web:\n    image: registry.example/web:1.0.0\n    autoscale: { min: 1, max: 3, target: { requests: 50 } }\n')).toEqual([
      'strato.yaml:5:54 services.web.autoscale.target.requests: targets.local: docker targets measure container CPU and memory, not requests; use target.cpu or target.memory, or place the service on an aws target to scale on requests',
    ])
  })

  it('only checks a service against the targets placement can put it on', () => {
    const manifest = ManifestSchema.parse({
      name: 'shop',
      services: { web: { image: 'registry.example/web:1', autoscale: { min: 1, max: 3, schedule: [{ cron: '0 8 * * *', min: 2 }] }, targets: ['aws'] } },
      targets: { onprem: { provider: 'docker' }, aws: { provider: 'aws', region: 'eu-west-1' } },
    })
    expect(serviceTargets(manifest, 'web')).toEqual(['aws'])
    expect(capabilityIssues(manifest, descriptorOf)).toEqual([])
  })

  it('takes the descriptors it is given, so a provider flipping a capability needs no other change', () => {
    const manifest = ManifestSchema.parse(JSON.parse(JSON.stringify({ name: 'shop', services: { web: { image: 'w:1', autoscale: { min: 1, max: 2, steps: [{ metric: 'cpu', above: 80, change: 1 }] } } }, targets: { gcp: { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' } } })))
    const withSteps: DescriptorLookup = (kind) => ({ ...DESCRIPTORS[kind], autoscaling: { ...DESCRIPTORS[kind].autoscaling, steps: { cpu: true, memory: true, requests: true } } })
    expect(capabilityIssues(manifest, descriptorOf)).toHaveLength(1)
    expect(capabilityIssues(manifest, withSteps)).toEqual([])
  })
})

describe('commands ask the descriptor before acting', () => {
  it('answers "not supported yet" (exit 7) with the reason and what to use instead for a verb a provider does not declare', () => {
    const error = (() => { try { requireVerb(descriptorOf('aws'), 'releases', 'prod') } catch (caught) { return caught } })() as UserError
    expect(error).toBeInstanceOf(UserError)
    expect(error.exitCode).toBe(7)
    expect(error.message).toBe('Release history on AWS target "prod" (aws targets keep no release history yet (the group runs one launch template per version)) is not supported yet.')
    expect(error.fix).toContain('strato deploy')
    expect(() => requireVerb(descriptorOf('docker'), 'releases', 'onprem')).not.toThrow()
  })

  it('refuses every verb of a provider that is not built, saying what works meanwhile', () => {
    // every kind is built today; a new provider starts with built: false
    const unbuilt = { ...descriptorOf('gcp'), built: false, meanwhile: 'Price it with strato cost estimate; read its spend with strato cost actual --focus.' }
    for (const verb of VERBS) expect(() => requireVerb(unbuilt, verb, 'gcp')).toThrow(/GCP target "gcp" \(it is not built yet\)/)
    expect(notSupportedError(unbuilt, 'The provider', 'gcp').fix).toContain('strato cost actual --focus')
    expect(notSupportedError({ ...unbuilt, meanwhile: undefined }, 'The provider', 'gcp').fix).toBe('Use --target to act on another target.')
  })
})

describe('the descriptors', () => {
  it('has one per kind, named after it, each with the eight verbs', () => {
    expect(Object.keys(DESCRIPTORS).sort()).toEqual([...PROVIDER_KINDS].sort())
    for (const kind of PROVIDER_KINDS) {
      expect(DESCRIPTORS[kind].kind).toBe(kind)
      expect(Object.keys(DESCRIPTORS[kind].verbs).sort()).toEqual([...VERBS].sort())
    }
  })

  it('writes starter targets that validate and use the known locations', () => {
    for (const kind of PROVIDER_KINDS) {
      const { name, target } = DESCRIPTORS[kind].starter('shop')
      const manifest: Manifest = ManifestSchema.parse({ name: 'shop', services: { web: { image: 'w:1' } }, targets: { [name]: target } })
      expect(capabilityIssues(manifest, descriptorOf), kind).toEqual([])
      expect(unknownLocation(DESCRIPTORS[kind], target), kind).toBeUndefined()
    }
  })

  it('says which fields price a target, a gcp zone by its region', () => {
    const gcp: Target = { provider: 'gcp', project: 'acme-prod', zone: 'europe-west1-b' }
    expect(pricedPlacement(descriptorOf('gcp'), gcp)).toEqual({ region: 'europe-west1', size: 'e2-small', assumed: true, sizeField: 'machineType' })
    expect(pricedPlacement(descriptorOf('aws'), { provider: 'aws', region: 'eu-west-1', instanceType: 'm5.large' })).toEqual({ region: 'eu-west-1', size: 'm5.large', assumed: false, sizeField: 'instanceType' })
    expect(pricedPlacement(descriptorOf('docker'), { provider: 'docker' })).toBeUndefined()
  })

  it('keeps one AWS region list: all 35, the manifest\'s old 21 among them', () => {
    expect(descriptorOf('aws').locations!.known).toHaveLength(35)
    for (const region of ['us-east-1', 'eu-central-2', 'me-central-1', 'af-south-1', 'ap-southeast-7', 'mx-central-1']) expect(descriptorOf('aws').locations!.known).toContain(region)
  })
})

describe('the README\'s provider table', () => {
  it('is what the descriptors say (node scripts/write-provider-table.mjs after a build rewrites it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length)
    expect(section).toBe(renderProviderTable(Object.values(DESCRIPTORS)))
  })
})
