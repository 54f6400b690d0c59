/**
 * The README's provider table, rendered from the descriptors so it cannot
 * drift from what validate and the commands enforce. A unit test compares
 * the README with this; scripts/write-provider-table.mjs rewrites it.
 */
import { AUTOSCALE_METRICS, type ProviderDescriptor, type Refusal, type Support } from './capabilities.js'

export const TABLE_START = '<!-- providers: generated from providers/*/descriptor.ts by scripts/write-provider-table.mjs -->'
export const TABLE_END = '<!-- /providers -->'

// Markdown table cells: no pipes, no newlines, and no angle brackets a renderer would take for HTML.
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** yes (or "planned" while the provider is not built), or the descriptor's reason. */
function answer(descriptor: ProviderDescriptor, ...supports: Support[]): string {
  const refusal = supports.find((support): support is Refusal => support !== true)
  if (refusal) return `no: ${refusal.reason}`
  return descriptor.built ? 'yes' : 'planned'
}

function metrics(descriptor: ProviderDescriptor, form: 'target' | 'steps'): string {
  const supported = AUTOSCALE_METRICS.filter((metric) => descriptor.autoscaling[form][metric] === true)
  return supported.length ? `${descriptor.built ? '' : 'planned: '}${supported.join(', ')}` : answer(descriptor, descriptor.autoscaling[form].cpu)
}

const ROWS: [string, (descriptor: ProviderDescriptor) => string][] = [
  ['built', (d) => (d.built ? 'yes' : 'not yet: commands acting on it answer "not supported yet" (exit 7)')],
  ['plan, deploy, status, scale, destroy', (d) => answer(d, d.verbs.deploy, d.verbs.scale, d.verbs.destroy)],
  ['rollout', (d) => `${d.built ? '' : 'planned: '}${d.rollout.how}${d.rollout.healthGatedRollback ? '; a version that never turns healthy is rolled back' : ''}`],
  ['releases, rollback', (d) => answer(d, d.verbs.releases, d.verbs.rollback)],
  ['logs', (d) => answer(d, d.verbs.logs)],
  ['live checks (check --live)', (d) => answer(d, d.verbs.facts)],
  ['autoscaling', (d) => (d.autoscaling.driver === 'native' ? '`autoscale apply`: native policies' : '`autoscale run`: strato\'s controller')],
  ['target tracking on', (d) => metrics(d, 'target')],
  ['step rules on', (d) => metrics(d, 'steps')],
  ['schedules', (d) => answer(d, d.autoscaling.schedules)],
  ['scale-in limit', (d) => answer(d, d.autoscaling.scaleInLimit)],
  ['actual spend', (d) => d.spend.how],
  ['state on resources', (d) => `labels/tags: ${d.labels.rules.summary}`],
  ['locations validate knows', (d) => (d.locations ? `${d.locations.known.length} ${d.locations.noun === 'zone' ? 'regions (zones in them)' : `${d.locations.noun}s`}` : 'any host')],
]

export function renderProviderTable(descriptors: ProviderDescriptor[]): string {
  const lines = [
    `| | ${descriptors.map((d) => d.title).join(' | ')} |`,
    `|---|${descriptors.map(() => '---').join('|')}|`,
    ...ROWS.map(([name, value]) => `| ${name} | ${descriptors.map((d) => cell(value(d))).join(' | ')} |`),
  ]
  return `${TABLE_START}\n${lines.join('\n')}\n${TABLE_END}`
}
