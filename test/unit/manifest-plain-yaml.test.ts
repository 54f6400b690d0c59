/**
 * The quick reading of strato.yaml (js-yaml's events) must answer exactly as
 * the full reading with the `yaml` library: the same data, the same problems
 * at the same lines and columns, and every text it cannot read exactly left to
 * the full reading.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { seededRandom } from '../../bench/seeded-random.mjs'
import { descriptorOf } from '../../providers/descriptors.js'
import { checkManifest, checkPositioned, type CheckedManifest } from '../../src/manifest/load.js'
import { readPlainYaml, resolvePlain } from '../../src/manifest/plain-yaml.js'

const answer = (checked: CheckedManifest) => ({ problems: checked.problems, manifest: checked.manifest })
const quick = (text: string) => answer(checkManifest(text, 'strato.yaml', descriptorOf))
const full = (text: string) => answer(checkPositioned(text, 'strato.yaml', descriptorOf))

/** Every path to a node in the data, to compare positions at. */
function pathsIn(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((item, index) => pathsIn(item, [...at, index], out))
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsIn(item, [...at, key], out)
  return out
}

/** What the quick reader accepts, the `yaml` library reads as the same data, with no problem; and where it gives a position, the same one. */
function expectSameReading(text: string): boolean {
  const plain = readPlainYaml(text)
  if (!plain) return false
  const doc = parseDocument(text, { uniqueKeys: false })
  expect(doc.errors.map((error) => error.message), text).toEqual([])
  expect(plain.data, text).toStrictEqual(doc.toJS())
  const reference = checkPositioned(text, 'strato.yaml')
  for (const at of pathsIn(plain.data)) {
    for (const probe of [at, [...at, 'missing'], [...at, 0]]) {
      for (const atKey of [false, true]) {
        const position = plain.locate(probe, atKey)
        if (position) expect(position, `${text}\n${probe.join('.')} atKey=${atKey}`).toEqual(reference.locate(probe, atKey))
      }
    }
  }
  return true
}

const RICH = `---
# a manifest using much of YAML
name: "shop"
'services':
  users:   # the users service
    image: 'registry.example/users:1.4.2'
    command:
      - node
      - "server.js"
      - >-
        --flag
        folded
    port: 0x1F90
    env:
      A: 'it''s'
      B: "tab\\there"
      "C_1": 12
      D: true
      E: ~
      F: |
        line one
        line two
    replicas: +2
    resources: {cpu: .5, memory: "256Mi"}
    autoscale:
      min: 1
      max: 1e1
      target: { cpu: 60.0 }
      schedule:
        - cron: "0 8 * * 1-5"
          min: 2
  orders: {build: ./orders, port: 8080, health: /healthz, dependsOn: [users]}
targets:
  local:
    provider: docker
    hosts:
    - unix:///var/run/docker.sock
checks:
  skip:
    - id: DKR-004
      reason: >
        multi
        line
      until: 2027-03-01
`
const SEEDS = [
  RICH,
  readFileSync('test/golden/new-python-mysql-cache-replica-hash-aws-gcp-gitlab/strato.yaml', 'utf8'),
  readFileSync('test/fixtures/cost/hybrid/strato.yaml', 'utf8'),
  readFileSync('test/golden/autoscaling/aws/steps-and-schedules/strato.yaml', 'utf8'),
]

describe('the quick reading of strato.yaml', () => {
  it('reads the seed manifests, and the same as the yaml library', () => {
    for (const text of SEEDS) {
      expect(expectSameReading(text), text.slice(0, 80)).toBe(true)
      expect(quick(text)).toStrictEqual(full(text))
    }
  })

  it('resolves plain scalars as the yaml library\'s core schema does', () => {
    const scalars = ['', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRue', 'false', 'FALSE', 'yes', 'no', 'on', 'y',
      '0', '-0', '+12', '012', '0o17', '0o8', '0x1F', '0X1F', '0b101', '1_000', '1.', '.5', '-.5', '1.50', '1e3', '1E-3', '.5e+2', '1e',
      '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'infinity', '2027-03-01', '12:30', '1,000', '9007199254740993', '.', '+', 'n', 't', 'f']
    for (const scalar of scalars) {
      expect(resolvePlain(scalar), JSON.stringify(scalar)).toStrictEqual(parseDocument(`value: ${scalar}`).toJS().value)
    }
  })

  it('leaves to the full reading what it cannot read exactly, which then answers', () => {
    const base = 'name: shop\nservices:\n  web: { image: "registry.example/web:1.0", port: 8080, health: /h }\n'
    const declined = [
      `${base}x: &a 1\ny: *a\n`, // anchors and aliases
      `${base}x: !!str 1\n`, // tags
      `%YAML 1.1\n---\n${base}`, // directives
      `${base}...\n`, `${base}---\nname: other\n`, `# c\n---\n${base}`, // document markers after the start
      base.replace('\n', '\r'), // a lone carriage return
      `${base}${'k'.repeat(1030)}: 1\n`, // a key over the implicit key limit
      `${base}~: 1\n`, `${base}<<: { a: 1 }\n`, `${base}__proto__: 1\n`, // keys the yaml library turns into something else
      `${base}name: again\n`, `${base}"1": a\n1: b\n`, // duplicate keys
      `${base}? [a]\n: b\n`, // a collection as a key
      `${base}x: "a\n  b": c\n`, // a key over two lines
      '- a\n- b\n', '', '# nothing\n', 'just text\n', // not a mapping
      `${base}x: [a\n`, `${base}x: "\\q"\n`, // syntax errors
    ]
    for (const text of declined) {
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined()
      expect(quick(text), JSON.stringify(text)).toStrictEqual(full(text))
    }
    expect(readPlainYaml(`---\n${base}`)).toBeDefined()
    expect(readPlainYaml(base.replace(/\n/g, '\r\n'))).toBeDefined()
  })

  it('locates problems where the yaml library does, or leaves them to it', () => {
    const texts = [
      'name: shop\nservices:\n  web:\n    image: "x:latest"\n    port: "8080"\n    prot: 1\n',
      'name: Shop\nservices: { "web": { build: ., port: 99999, health: h } }\n',
      'name: shop\nservices:\n  web:\n    build: .\n    port:\n    replicas: |\n      2\n',
      "name: shop\nservices:\n  'Web':\n    build: .\n  api: { build: ., dependsOn: [nope] }\ntargets: { t: { provider: gcp, project: p, zone: z } }\n",
      'name: shop\nservices:\n  web: { build: . }\nplacement:\n  - target: nowhere\n    max: 5000\n',
    ]
    for (const text of texts) {
      expect(quick(text).problems.length, text).toBeGreaterThan(0)
      expect(quick(text), text).toStrictEqual(full(text))
    }
  })

  it('answers as the full reading on seeded random edits of real manifests', () => {
    const random = seededRandom(2611)
    const tokens = ['&a ', '*a', '!!str ', '[', ']', '{', '}', ': ', '- ', '\n', '\n  ', '  ', '"', "'", '#', ' #c', '\t', '\r', '? ', ',',
      '|', '>\n  ', '---\n', '...\n', '~', 'null', 'true', '0o17', '0x1F', '1e3', '.5', '.nan', '+12', '"\\u00e9"', '\\', '@', 'é',
      '\uFEFF', '<<: ', 'port', 'colour', '8080', '"8080"', 'services', 'name: ', '%', 'replicas: 1000000000', '""', 'a: b: c']
    let read = 0
    for (let run = 0; run < 600; run++) {
      let text = SEEDS[run % SEEDS.length]
      for (let edit = 0, edits = 1 + Math.floor(random() * 3); edit < edits; edit++) {
        const at = Math.floor(random() * text.length)
        text = random() < 0.8
          ? text.slice(0, at) + tokens[Math.floor(random() * tokens.length)] + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8))
      }
      expect(quick(text), JSON.stringify(text)).toStrictEqual(full(text))
      if (expectSameReading(text)) read++
    }
    // Enough of the edited texts stay readable for the comparison to mean something.
    expect(read).toBeGreaterThan(100)
  }, 60_000)
})
