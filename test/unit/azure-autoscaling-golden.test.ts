/**
 * Golden autoscaling for azure: test/golden/autoscaling/azure/<scenario>/
 * strato.yaml compiles to exactly native.json, one autoscaleSettings body per
 * service. The only way native.json changes is
 * `STRATO_UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/azure-autoscaling-golden.test.ts`
 * (node scripts/update-golden.mjs runs it too).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { desiredReplicas } from '../../src/manifest/defaults.js'
import { parseManifest } from '../../src/manifest/load.js'
import { compileAutoscale } from '../../providers/azure/autoscaling-compile.js'
import { autoscaleSettingName, resourceGroupName, scaleSetName } from '../../providers/azure/naming.js'
import { encodeTags } from '../../providers/azure/tags.js'

const ROOT = path.resolve(import.meta.dirname, '../golden/autoscaling/azure')
const updating = process.env.STRATO_UPDATE_GOLDEN === '1'

function compileScenario(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'strato.yaml')
  const { manifest } = parseManifest(readFileSync(file, 'utf8'), file)
  const [targetName, target] = Object.entries(manifest.targets ?? {})[0]
  if (target.provider !== 'azure') throw new Error(`${file}: the first target must be an azure target`)
  const group = resourceGroupName(manifest.name, targetName, target)
  const out: Record<string, unknown> = {}
  for (const [service, spec] of Object.entries(manifest.services)) {
    if (!spec.autoscale) continue
    const scaleSetId = `/subscriptions/${target.subscription}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSetName(manifest.name, service)}`
    out[service] = compileAutoscale(spec.autoscale, {
      service, location: target.location, targetResourceUri: scaleSetId, name: autoscaleSettingName(manifest.name, service),
      tags: encodeTags({ project: manifest.name, service, role: 'autoscale' }).tags, replicas: desiredReplicas(spec),
    })
  }
  return out
}

describe('azure autoscaling golden files', () => {
  const scenarios = readdirSync(ROOT).filter((entry) => existsSync(path.join(ROOT, entry, 'strato.yaml'))).sort()
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(4))
  it.each(scenarios)('%s compiles to native.json', (scenario) => {
    const dir = path.join(ROOT, scenario)
    const compiled = `${JSON.stringify(compileScenario(dir), null, 2)}\n`
    if (updating) writeFileSync(path.join(dir, 'native.json'), compiled)
    expect(readFileSync(path.join(dir, 'native.json'), 'utf8'), `${scenario}/native.json differs; regenerate with STRATO_UPDATE_GOLDEN=1 if intended`).toBe(compiled)
  })
})
