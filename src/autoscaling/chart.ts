/**
 * The simulator's chart as one self-contained SVG file: offered load against
 * ready capacity (requests not served shaded), replicas stacked per target,
 * CPU with the policy's target and the SLO line, and the scale events of
 * every policy compared. Scales, ticks and paths come from d3 (d3-scale,
 * d3-shape), which need no DOM; this module is loaded only for --chart.
 */
import { scaleLinear } from 'd3-scale'
import { area, curveStepAfter, line, stack } from 'd3-shape'
import { clock, type SimulationReport } from './simulate-report.js'
import type { SimulatedStep } from './simulate.js'

const WIDTH = 960
const LEFT = 104
const RIGHT = 150
const PANEL_GAP = 34
const TARGET_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#76b7b2', '#edc948', '#b07aa1']
const RUN_COLOURS = ['#1f2937', '#e15759', '#9c755f', '#17becf', '#bab0ac']

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/**
 * Steps as step-curve points, with one more at the end so the last step has
 * its width. A step equal to the one before adds nothing to a step curve and
 * is left out: a day of 15-second steps stays a small file.
 */
function stepPoints<T>(steps: SimulatedStep[], value: (step: SimulatedStep) => T, same: (a: T, b: T) => boolean = (a, b) => a === b): { at: number; value: T }[] {
  if (steps.length === 0) return []
  const points: { at: number; value: T }[] = []
  for (const step of steps) {
    const current = value(step)
    if (points.length === 0 || !same(points[points.length - 1].value, current)) points.push({ at: step.at, value: current })
  }
  const last = steps[steps.length - 1]
  return [...points, { at: last.at + last.seconds, value: value(last) }]
}

const sameReplicas = (a: Record<string, number>, b: Record<string, number>) => Object.keys({ ...a, ...b }).every((key) => (a[key] ?? 0) === (b[key] ?? 0))
const sameLoad = (a: SimulatedStep, b: SimulatedStep) => a.rps === b.rps && a.ready === b.ready

interface Panel {
  id: string
  title: string
  height: number
  body(y: (value: number) => number, top: number): string
  max: number
  ticks?: number
}

export function renderChart(report: SimulationReport): string {
  const main = report.runs[0]
  const names = report.targets.map((entry) => entry.target)
  const end = report.trace.seconds
  const x = scaleLinear().domain([0, end]).range([LEFT, WIDTH - RIGHT])
  const total = (step: SimulatedStep) => names.reduce((sum, name) => sum + (step.replicas[name] ?? 0), 0)
  const policyTarget = main.policy.target?.cpu

  const load: Panel = {
    id: 'panel-load',
    title: 'requests per second: offered, ready capacity, not served',
    height: 150,
    max: Math.max(1, ...main.steps.map((step) => Math.max(step.rps, step.ready * report.perReplicaRps))),
    body: (y, top) => {
      const points = stepPoints(main.steps, (step) => step, sameLoad)
      const unserved = area<{ at: number; value: SimulatedStep }>().digits(1).curve(curveStepAfter).x((d) => x(d.at)).y0((d) => y(Math.min(d.value.rps, d.value.ready * report.perReplicaRps))).y1((d) => y(d.value.rps))(points)
      const rps = line<{ at: number; value: SimulatedStep }>().digits(1).curve(curveStepAfter).x((d) => x(d.at)).y((d) => y(d.value.rps))(points)
      const capacity = line<{ at: number; value: SimulatedStep }>().digits(1).curve(curveStepAfter).x((d) => x(d.at)).y((d) => y(d.value.ready * report.perReplicaRps))(points)
      return [
        `<path class="series unserved" d="${unserved}" fill="#e15759" fill-opacity="0.35" stroke="none"/>`,
        `<path class="series capacity" d="${capacity}" fill="none" stroke="#6b7280" stroke-width="1.2" stroke-dasharray="5 3"/>`,
        `<path class="series rps" d="${rps}" fill="none" stroke="#1f2937" stroke-width="1.6"/>`,
        legend([['offered rps', '#1f2937'], ['ready capacity', '#6b7280'], ['not served', '#e15759']], top),
      ].join('\n')
    },
  }

  const replicas: Panel = {
    id: 'panel-replicas',
    title: `replicas per target (${main.name} policy)${report.runs.length > 1 ? '; lines: total of the other policies' : ''}`,
    height: 170,
    max: Math.max(1, ...report.runs.flatMap((run) => run.steps.map(total))),
    body: (y, top) => {
      const rows = stepPoints(main.steps, (step) => step.replicas, sameReplicas).map(({ at, value }) => ({ at, ...value }))
      const layers = stack<Record<string, number>>().keys(names).value((row, key) => row[key] ?? 0)(rows as unknown as Record<string, number>[])
      const band = area<[number, number]>().digits(1).curve(curveStepAfter).x((_, index) => x(rows[index].at)).y0((d) => y(d[0])).y1((d) => y(d[1]))
      const stacked = layers.map((layer, index) => `<path class="series replicas" data-target="${escapeXml(names[index])}" d="${band(layer as unknown as [number, number][])}" fill="${TARGET_COLOURS[index % TARGET_COLOURS.length]}" fill-opacity="0.8" stroke="none"/>`)
      const others = report.runs.slice(1).map((run, index) => {
        const path = line<{ at: number; value: number }>().digits(1).curve(curveStepAfter).x((d) => x(d.at)).y((d) => y(d.value))(stepPoints(run.steps, total))
        return `<path class="series total" data-policy="${escapeXml(run.name)}" d="${path}" fill="none" stroke="${RUN_COLOURS[(index + 1) % RUN_COLOURS.length]}" stroke-width="1.3"/>`
      })
      const keys: [string, string][] = [
        ...names.map((name, index): [string, string] => [name, TARGET_COLOURS[index % TARGET_COLOURS.length]]),
        ...report.runs.slice(1).map((run, index): [string, string] => [run.name, RUN_COLOURS[(index + 1) % RUN_COLOURS.length]]),
      ]
      return [...stacked, ...others, legend(keys, top)].join('\n')
    },
  }

  const cpu: Panel = {
    id: 'panel-cpu',
    title: `CPU of the ready replicas, %${policyTarget ? ` (target ${policyTarget}%` : ' ('}${policyTarget ? ', ' : ''}SLO ${report.sloCpu}%)`,
    height: 120,
    max: 100,
    ticks: 4,
    body: (y, top) => {
      const guides = [
        ...(policyTarget ? [`<line class="guide target" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(policyTarget)}" y2="${y(policyTarget)}" stroke="#59a14f" stroke-dasharray="4 3"/>`] : []),
        `<line class="guide slo" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(report.sloCpu)}" y2="${y(report.sloCpu)}" stroke="#e15759" stroke-dasharray="2 3"/>`,
      ]
      const lines = report.runs.map((run, index) => {
        const path = line<{ at: number; value: number }>().digits(1).curve(curveStepAfter).x((d) => x(d.at)).y((d) => y(d.value))(stepPoints(run.steps, (step) => step.cpu))
        return `<path class="series cpu" data-policy="${escapeXml(run.name)}" d="${path}" fill="none" stroke="${RUN_COLOURS[index % RUN_COLOURS.length]}" stroke-width="${index === 0 ? 1.6 : 1}"/>`
      })
      return [...guides, ...lines, legend(report.runs.map((run, index) => [run.name, RUN_COLOURS[index % RUN_COLOURS.length]]), top)].join('\n')
    },
  }

  const rowHeight = 22
  const events: Panel = {
    id: 'panel-events',
    title: 'scale events: ▲ out, ▼ in',
    height: rowHeight * report.runs.length,
    max: report.runs.length,
    ticks: 0,
    body: (_, top) => report.runs.map((run, index) => {
      const mid = top + rowHeight * index + rowHeight / 2
      const marks = run.steps.filter((step) => step.action !== 'hold').map((step) => {
        const at = x(step.at + step.seconds)
        const shape = step.action === 'scale-out' ? `M${at - 5},${mid + 5}L${at + 5},${mid + 5}L${at},${mid - 5}Z` : `M${at - 5},${mid - 5}L${at + 5},${mid - 5}L${at},${mid + 5}Z`
        return `<path class="event ${step.action}" d="${shape}" fill="${step.action === 'scale-out' ? '#59a14f' : '#f28e2b'}"><title>${escapeXml(`${clock(step.at + step.seconds)} ${step.summary}`)}</title></path>`
      })
      return `<g class="events" data-policy="${escapeXml(run.name)}"><text x="${LEFT - 10}" y="${mid + 4}" text-anchor="end" font-size="10">${escapeXml(run.name)}</text><line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${mid}" y2="${mid}" stroke="#e5e7eb"/>${marks.join('')}</g>`
    }).join('\n'),
  }

  const panels = [load, replicas, cpu, events]
  let top = 48
  const parts: string[] = []
  for (const panel of panels) {
    const y = scaleLinear().domain([0, panel.max]).nice().range([top + panel.height, top])
    const ticks = panel.ticks === 0 ? [] : y.ticks(panel.ticks ?? 5)
    const axis = ticks.map((tick) => `<g class="tick"><line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick)}" y2="${y(tick)}" stroke="#f3f4f6"/><text x="${LEFT - 6}" y="${y(tick) + 3}" text-anchor="end" font-size="10">${tick}</text></g>`)
    parts.push(`<g id="${panel.id}"><text class="panel-title" x="${LEFT}" y="${top - 8}" font-size="12" font-weight="600">${escapeXml(panel.title)}</text>${axis.join('')}\n${panel.body(y, top)}\n<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${panel.height}" fill="none" stroke="#d1d5db"/></g>`)
    top += panel.height + PANEL_GAP
  }
  const timeTicks = clockTicks(end).map((tick) => `<text x="${x(tick)}" y="${top - PANEL_GAP + 16}" text-anchor="middle" font-size="10">${clock(tick)}</text>`)
  const height = top
  const title = `${report.service} on ${report.trace.file}: ${report.runs.map((run) => run.name).join(' vs ')}`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="700">${escapeXml(title)}</text>`,
    ...parts,
    `<g id="time-axis">${timeTicks.join('')}</g>`,
    '</svg>',
    '',
  ].join('\n')
}

/** Round clock times for the time axis: about eight ticks a whole number of minutes or hours apart. */
export function clockTicks(end: number): number[] {
  const steps = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400]
  const step = steps.find((candidate) => end / candidate <= 8) ?? Math.ceil(end / 8 / 86400) * 86400
  return Array.from({ length: Math.floor(end / step) + 1 }, (_, index) => index * step)
}

function legend(entries: [string, string][], top: number): string {
  const left = WIDTH - RIGHT + 12
  return `<g class="legend">${entries.map(([label, colour], index) => `<rect x="${left}" y="${top + index * 16}" width="10" height="10" fill="${colour}"/><text x="${left + 15}" y="${top + index * 16 + 9}" font-size="10">${escapeXml(label)}</text>`).join('')}</g>`
}
