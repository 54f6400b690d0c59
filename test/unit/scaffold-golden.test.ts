/**
 * Golden trees: test/golden/new-<scenario>/ holds exactly what `strato new`
 * writes for that scenario's flags. The only way they change is
 * `node scripts/update-golden.mjs`, which reruns this file in update mode.
 * .strato/schema.json is left out: it is the manifest schema verbatim (checked
 * in scaffold-shop.test.ts), and would otherwise change with every schema edit.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveShopOptions, type RawShopOptions } from '../../src/scaffold/options.js'
import { renderShop, type FileMap } from '../../src/scaffold/shop.js'
import { readTemplateTree, templatesRoot } from '../../src/scaffold/template-tree.js'
import { descriptorOf } from '../../providers/descriptors.js'

export const GOLDEN_SCENARIOS: Record<string, RawShopOptions> = {
  'new-node-postgres': { name: 'shop' },
  'new-python-mysql-cache-replica-hash-aws-gcp-gitlab': {
    name: 'shop', runtime: 'python', db: 'mysql', cache: true, readReplica: true, lb: 'consistent-hash', targets: ['aws', 'gcp'], ci: 'gitlab',
  },
  'new-node-mysql-weighted-users-orders-azure': {
    name: 'market', db: 'mysql', lb: 'weighted', services: 'users,orders', targets: ['docker', 'azure'],
  },
  'new-python-postgres-replica-leastconn': { name: 'shop', runtime: 'python', readReplica: true, lb: 'least-conn' },
}

const GOLDEN_ROOT = path.resolve(import.meta.dirname, '../golden')
const SKIPPED = new Set(['.strato/schema.json'])
const updating = process.env.STRATO_UPDATE_GOLDEN === '1'
const templates = readTemplateTree(templatesRoot())
// The pinned strato in the starter repos' CI is the version that wrote them: this package's.
const STRATO_VERSION = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative]
  }).sort()
}

function generate(raw: RawShopOptions): FileMap {
  const files = renderShop(resolveShopOptions(raw), templates, descriptorOf, { version: STRATO_VERSION })
  return Object.fromEntries(Object.entries(files).filter(([file]) => !SKIPPED.has(file)))
}

describe('golden starter repos', () => {
  it.each(Object.entries(GOLDEN_SCENARIOS))('%s matches test/golden exactly', (scenario, raw) => {
    const dir = path.join(GOLDEN_ROOT, scenario)
    const files = generate(raw)
    if (updating) {
      rmSync(dir, { recursive: true, force: true })
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        writeFileSync(path.join(dir, file), content)
      }
    }
    expect(listFiles(dir), 'the same files, no more, no fewer').toEqual(Object.keys(files).sort())
    for (const [file, content] of Object.entries(files)) {
      expect(readFileSync(path.join(dir, file), 'utf8'), `${scenario}/${file} differs; run node scripts/update-golden.mjs if the change is intended`).toBe(content)
    }
  })
})
