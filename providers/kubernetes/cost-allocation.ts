/**
 * Actual spend on a cluster, allocated the way OpenCost does: each node has an
 * hourly price (from the catalog by its cloud, region and instance type, or
 * the target's on-prem cost per node), split into a CPU and a memory part by
 * OpenCost's default relative prices; each pod pays for what it requests of
 * its node's CPU and memory for the hours it ran. Pure: nodes, pods and prices in.
 */
import type { CostLine } from '../../src/model.js'
import type { PriceCatalog } from '../../src/costs/catalog.js'
import type { KubernetesTargetConfig } from '../../src/manifest/schema.js'

/** OpenCost's default prices per vCPU-hour and GiB-hour: only their ratio is used, to split a node's price. */
export const CPU_HOURLY = 0.031611
export const RAM_GIB_HOURLY = 0.004237

export interface NodeInfo {
  name: string
  cpuCores: number
  memoryBytes: number
  providerID?: string
  labels: Record<string, string>
}

export interface PodInfo {
  service: string
  node: string
  cpuCores: number
  memoryBytes: number
  /** ISO times the pod ran from and until (now, for a running pod) */
  start: string
  end: string
}

export interface NodePrice {
  hourly: number
  source: string
}

const CLOUD_OF: Record<string, 'aws' | 'gcp' | 'azure'> = { aws: 'aws', gce: 'gcp', azure: 'azure' }

/** A node's hourly price: the catalog's for a cloud node, else the target's cost per node; undefined with the reason when neither is known. */
export function nodePrice(node: NodeInfo, target: KubernetesTargetConfig, catalog: PriceCatalog): NodePrice | { unknown: string } {
  const cloud = CLOUD_OF[(node.providerID ?? '').split(':')[0]]
  const type = node.labels['node.kubernetes.io/instance-type'] ?? node.labels['beta.kubernetes.io/instance-type']
  const region = node.labels['topology.kubernetes.io/region'] ?? node.labels['failure-domain.beta.kubernetes.io/region']
  if (cloud && type && region) {
    const hourly = catalog.providers[cloud]?.regions[region]?.instances[type]
    if (hourly !== undefined) return { hourly, source: `${cloud} ${region} ${type} (catalog ${catalog.date})` }
  }
  const cost = target.cost
  if (cost?.monthly !== undefined || (cost?.purchase !== undefined && cost.months !== undefined)) {
    const monthly = (cost.monthly ?? cost.purchase! / cost.months!) + (cost.power ?? 0)
    return { hourly: monthly / catalog.hoursPerMonth, source: 'on-prem cost per node' }
  }
  return { unknown: cloud && type && region ? `${cloud} ${region} ${type} is not in the price catalog` : 'it is not a cloud node the catalog prices and the target declares no cost per node' }
}

function overlapHours(start: number, end: number, from: number, to: number): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from)) / 3_600_000
}

function periods(start: string, end: string, granularity: 'daily' | 'monthly'): { from: number; to: number; date: string }[] {
  const out: { from: number; to: number; date: string }[] = []
  let cursor = new Date(`${start.slice(0, 10)}T00:00:00Z`)
  if (granularity === 'monthly') cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth(), 1))
  const stop = new Date(end).getTime()
  while (cursor.getTime() < stop) {
    const next = granularity === 'daily'
      ? new Date(cursor.getTime() + 86_400_000)
      : new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, 1))
    out.push({ from: cursor.getTime(), to: next.getTime(), date: cursor.toISOString().slice(0, 10) })
    cursor = next
  }
  return out
}

export interface AllocationInput {
  target: string
  nodes: NodeInfo[]
  prices: Map<string, NodePrice>
  pods: PodInfo[]
  period: { start: string; end: string; granularity: 'daily' | 'monthly' }
  currency: string
}

/** Cost per service and day (or month) from the pods' requests and their nodes' prices. */
export function allocate(input: AllocationInput): CostLine[] {
  const nodes = new Map(input.nodes.map((node) => [node.name, node]))
  const totals = new Map<string, number>()
  const from = new Date(input.period.start).getTime()
  const to = new Date(input.period.end).getTime()
  for (const pod of input.pods) {
    const node = nodes.get(pod.node)
    const price = input.prices.get(pod.node)
    if (!node || !price || node.cpuCores <= 0 || node.memoryBytes <= 0) continue
    const gib = node.memoryBytes / 1024 ** 3
    const cpuPart = (price.hourly * node.cpuCores * CPU_HOURLY) / (node.cpuCores * CPU_HOURLY + gib * RAM_GIB_HOURLY)
    const hourly = (pod.cpuCores / node.cpuCores) * cpuPart + (pod.memoryBytes / node.memoryBytes) * (price.hourly - cpuPart)
    const start = Math.max(new Date(pod.start).getTime(), from)
    const end = Math.min(new Date(pod.end).getTime(), to)
    for (const slot of periods(input.period.start, input.period.end, input.period.granularity)) {
      const hours = overlapHours(start, end, slot.from, slot.to)
      if (hours <= 0) continue
      const key = `${pod.service}\0${slot.date}`
      totals.set(key, (totals.get(key) ?? 0) + hourly * hours)
    }
  }
  return [...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, amount]) => {
    const [service, date] = key.split('\0')
    return { provider: 'kubernetes', target: input.target, service, date, amount: Math.round(amount * 1e6) / 1e6, currency: input.currency, source: 'kubernetes: node prices allocated to pod requests (OpenCost method)' }
  })
}
