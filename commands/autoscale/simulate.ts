import { Flags } from '@oclif/core'
import { readFileSync, writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { StratoCommand, manifestFlag, numberFlag } from '../../cli/base.js'
import { loadCatalog } from '../../src/costs/catalog-file.js'
import { parseWarmup, renderSimulation, simulateManifest, type SimulationReport } from '../../src/autoscaling/simulate-report.js'
import { parseTrace } from '../../src/autoscaling/trace.js'
import { usageError } from '../../src/errors.js'
import { descriptorOf } from '../../providers/descriptors.js'

export default class AutoscaleSimulate extends StratoCommand {
  static override exitCodes = ['ok', 'failure', 'usage'] as const
  static override summary = 'What-if: replay a load trace through the manifest\'s autoscaling policy and placement.'
  static override description = `The trace is CSV "seconds,rps" lines, a k6 CSV output (k6 run --out csv=FILE, also .gz) or a Locust stats history (PREFIX_stats_history.csv); load-tool exports are counted per minute.
Each replica serves --per-replica requests per second at 100% CPU. Every --interval seconds the policy decides on that period's CPU, with the hybrid controller's decision core: one count for the service, placed in placement order (fill each target up to its max, overflow to the next; drain the last-filled first).
Per step: replicas per target, CPU, requests not served, and the hourly cost (clouds from the price catalog, docker targets from their host cost model).
--compare adds the threshold rule (cpu > 80% out, < 30% in), step rules and HPA-like target tracking, and prints a summary table per policy.`
  static override examples = [
    '<%= config.bin %> autoscale simulate --trace load.csv --per-replica 200',
    '<%= config.bin %> autoscale simulate --trace k6-results.csv.gz --service orders --compare',
    '<%= config.bin %> autoscale simulate --trace locust_stats_history.csv --compare --chart spike.svg --warmup onprem=10,aws=90',
  ]

  static override flags = {
    manifest: manifestFlag,
    trace: Flags.string({ summary: 'Load trace: "seconds,rps" CSV, k6 CSV output or Locust stats history.', required: true, helpValue: 'FILE' }),
    service: Flags.string({ summary: 'The service to replay (default: the only one with an autoscale policy).', helpValue: 'NAME' }),
    'per-replica': Flags.string({ summary: 'Requests per second one replica serves at 100% CPU.', default: '100', helpValue: 'N' }),
    interval: Flags.integer({ summary: 'Seconds between two evaluations of the policy.', default: 15, min: 1 }),
    warmup: Flags.string({ summary: 'Seconds before a new replica serves: one figure, or per target (onprem=10,aws=90).', default: '0', helpValue: 'SECONDS' }),
    'slo-cpu': Flags.integer({ summary: 'CPU percent above which time counts as over the SLO utilisation.', default: 80, min: 1, max: 100 }),
    compare: Flags.boolean({ summary: 'Also run the threshold rule, step rules and target tracking, and compare.' }),
    chart: Flags.string({ summary: 'Write an SVG chart of load, replicas per target, CPU and scale events.', helpValue: 'FILE.svg' }),
    prices: Flags.string({ summary: 'Price catalog file (default: the refreshed one in ~/.config/strato, else the shipped snapshot).', helpValue: 'FILE' }),
  }

  async run(): Promise<SimulationReport & { chart?: string }> {
    const { flags } = await this.parse(AutoscaleSimulate)
    const { manifest } = this.loadManifest(flags.manifest)
    let bytes: Uint8Array
    try {
      bytes = readFileSync(flags.trace)
      if (flags.trace.endsWith('.gz')) bytes = gunzipSync(bytes)
    } catch (error) {
      throw usageError(`Cannot read the trace ${flags.trace} (${(error as NodeJS.ErrnoException).code ?? 'not gzip'}).`, 'Pass a readable trace file with --trace.')
    }
    const report = simulateManifest(manifest, {
      service: flags.service,
      trace: parseTrace(bytes, flags.trace),
      traceName: flags.trace.split('/').pop()!,
      perReplicaRps: numberFlag('per-replica', flags['per-replica']),
      stepSeconds: flags.interval,
      warmup: parseWarmup(flags.warmup),
      sloCpu: flags['slo-cpu'],
      compare: flags.compare,
      catalog: loadCatalog(flags.prices, process.env),
      descriptors: descriptorOf,
    })
    const progress = this.progress()
    for (const warning of report.warnings) progress.warn(warning)
    if (flags.chart) {
      // d3 loads only here: the chart is the one part of strato that draws.
      const { renderChart } = await import('../../src/autoscaling/chart.js')
      writeFileSync(flags.chart, renderChart(report))
      progress.done(`Chart written to ${flags.chart}`)
    }
    this.out(renderSimulation(report, this.style.bold))
    return flags.chart ? { ...report, chart: flags.chart } : report
  }
}
