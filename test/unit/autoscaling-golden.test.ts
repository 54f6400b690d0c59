/**
 * Golden autoscaling: test/golden/autoscaling/<kind>/<scenario>/strato.yaml
 * compiles, with the kind's compiler (loaded through the registry, as
 * `autoscale apply --dry-run` does), to exactly native.json: per target of
 * that kind, per service. resolved.json, when present, holds what the live
 * target would resolve (aws: the balancer's request-count label). The only
 * way native.json changes is `node scripts/update-golden.mjs`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { autoscaledOn } from '../../src/autoscaling/targets.js'
import { effectiveTargets } from '../../src/manifest/defaults.js'
import { parseManifest } from '../../src/manifest/load.js'
import { PROVIDER_KINDS, type ProviderKind } from '../../src/manifest/schema.js'
import { descriptorOf } from '../../providers/descriptors.js'
import { compilerFor } from '../../providers/registry.js'

const ROOT = path.resolve(import.meta.dirname, '../golden/autoscaling')
const updating = process.env.STRATO_UPDATE_GOLDEN === '1'

const scenarios = readdirSync(ROOT).flatMap((kind) => readdirSync(path.join(ROOT, kind)).map((scenario) => [kind, scenario] as const))

async function compileScenario(kind: ProviderKind, dir: string) {
  const file = path.join(dir, 'strato.yaml')
  const { manifest } = parseManifest(readFileSync(file, 'utf8'), file, file, descriptorOf)
  const resolved = existsSync(path.join(dir, 'resolved.json')) ? JSON.parse(readFileSync(path.join(dir, 'resolved.json'), 'utf8')) as Record<string, string> : undefined
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, target] of Object.entries(effectiveTargets(manifest))) {
    if (target.provider !== kind) continue
    const compile = await compilerFor(kind, name)
    out[name] = Object.fromEntries(Object.entries(autoscaledOn(manifest, name)).map(([service, policy]) => [service, compile({ project: manifest.name, service, policy, resolved })]))
  }
  return out
}

describe('golden autoscaling: manifest to native policy', () => {
  it('has scenarios for every provider built so far', () => {
    expect([...new Set(scenarios.map(([kind]) => kind))].sort()).toEqual(PROVIDER_KINDS.filter((kind) => descriptorOf(kind).built).sort())
  })

  it.each(scenarios)('%s/%s compiles to native.json', async (kind, scenario) => {
    const dir = path.join(ROOT, kind, scenario)
    const compiled = `${JSON.stringify(await compileScenario(kind as ProviderKind, dir), null, 2)}\n`
    if (updating) writeFileSync(path.join(dir, 'native.json'), compiled)
    expect(readFileSync(path.join(dir, 'native.json'), 'utf8'), `${kind}/${scenario}/native.json differs; run node scripts/update-golden.mjs if the change is intended`).toBe(compiled)
  })
})
