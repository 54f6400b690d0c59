/**
 * Applying a compiled autoscale setting (autoscaling-compile.ts) to a
 * service's scale set: one Microsoft.Insights/autoscaleSettings resource per
 * service, replaced as a whole, so rules and profiles dropped from
 * strato.yaml disappear. Applying again changes nothing: the setting is
 * written only when what Azure holds differs from what the manifest asks.
 * The changes are reported per profile and rule.
 */
import type { AutoscaleSettingResource } from '@azure/arm-monitor'
import type { AutoscalingChanges } from '../../src/autoscaling/compile.js'
import type { AutoscaleSettingBody, ScaleRule } from './autoscaling-compile.js'
import type { AzureClients } from './clients.js'
import { isNotFound } from './errors.js'

/** The SDK's flattened form of the Resource Manager body. */
export function toSdkSetting(body: AutoscaleSettingBody): AutoscaleSettingResource {
  return {
    location: body.location,
    tags: body.tags,
    namePropertiesName: body.properties.name,
    enabled: body.properties.enabled,
    targetResourceUri: body.properties.targetResourceUri,
    profiles: body.properties.profiles,
  }
}

/** What Azure holds, in the body's shape, for comparison. */
export function fromSdkSetting(setting: AutoscaleSettingResource): AutoscaleSettingBody {
  return {
    location: setting.location,
    tags: setting.tags ?? {},
    properties: {
      name: setting.namePropertiesName ?? setting.name ?? '',
      enabled: setting.enabled !== false,
      targetResourceUri: setting.targetResourceUri ?? '',
      profiles: (setting.profiles ?? []) as AutoscaleSettingBody['properties']['profiles'],
    },
  }
}

/** Whether `actual` holds everything `wanted` says (Azure adds fields of its own; ids compare case-insensitively). */
export function covers(actual: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return true
  if (typeof wanted === 'string' && typeof actual === 'string') {
    return wanted.startsWith('/subscriptions/') || wanted.includes('/') ? wanted.toLowerCase() === actual.toLowerCase() : wanted === actual
  }
  if (Array.isArray(wanted)) return Array.isArray(actual) && actual.length === wanted.length && wanted.every((item, index) => covers(actual[index], item))
  if (wanted !== null && typeof wanted === 'object') {
    if (actual === null || typeof actual !== 'object') return false
    return Object.entries(wanted).every(([key, value]) => covers((actual as Record<string, unknown>)[key], value))
  }
  return actual === wanted
}

function describeRule(rule: ScaleRule): string {
  const { metricTrigger: trigger, scaleAction: action } = rule
  return `${trigger.metricName} ${trigger.operator === 'GreaterThan' ? '>' : '<'} ${trigger.threshold} over ${trigger.timeWindow}: ${action.direction === 'Increase' ? '+' : '-'}${action.value}`
}

/** Each profile and rule as a named item with its content, for the change report. */
export function settingItems(body: AutoscaleSettingBody | undefined): Map<string, string> {
  const items = new Map<string, string>()
  for (const profile of body?.properties.profiles ?? []) {
    items.set(`profile ${profile.name}`, JSON.stringify({ capacity: profile.capacity, recurrence: profile.recurrence }))
    for (const rule of profile.rules) items.set(`${profile.name}: ${describeRule(rule)}`, JSON.stringify(rule))
  }
  return items
}

/** created / updated / deleted / unchanged items between what exists and what is wanted. */
export function diffSettings(existing: AutoscaleSettingBody | undefined, wanted: AutoscaleSettingBody | undefined): AutoscalingChanges {
  const before = settingItems(existing)
  const after = settingItems(wanted)
  const changes: AutoscalingChanges = { created: [], updated: [], deleted: [], unchanged: [] }
  for (const [key, content] of after) {
    if (!before.has(key)) changes.created.push(key)
    else if (covers(JSON.parse(before.get(key)!), JSON.parse(content))) changes.unchanged.push(key)
    else changes.updated.push(key)
  }
  for (const key of before.keys()) if (!after.has(key)) changes.deleted.push(key)
  return changes
}

async function readSetting(clients: AzureClients, resourceGroup: string, name: string): Promise<AutoscaleSettingBody | undefined> {
  const monitor = await clients.monitor()
  try {
    return fromSdkSetting(await monitor.autoscaleSettings.get(resourceGroup, name))
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** Writes the setting when it differs from what Azure holds; with `wanted` undefined, removes it. */
export async function applyAutoscaleSetting(clients: AzureClients, resourceGroup: string, name: string, wanted: AutoscaleSettingBody | undefined): Promise<AutoscalingChanges> {
  const existing = await readSetting(clients, resourceGroup, name)
  const changes = diffSettings(existing, wanted)
  const monitor = await clients.monitor()
  if (!wanted) {
    if (existing) await monitor.autoscaleSettings.delete(resourceGroup, name)
    return changes
  }
  if (!existing || !covers(existing, wanted)) await monitor.autoscaleSettings.createOrUpdate(resourceGroup, name, toSdkSetting(wanted))
  return changes
}

/** The bounds a scale set's default profile allows, or undefined without a setting. */
export async function autoscaleBounds(clients: AzureClients, resourceGroup: string, name: string): Promise<{ min: number; max: number } | undefined> {
  const setting = await readSetting(clients, resourceGroup, name)
  const profile = setting?.properties.profiles.find((candidate) => !candidate.recurrence)
  if (!setting?.properties.enabled || !profile) return undefined
  return { min: Number(profile.capacity.minimum), max: Number(profile.capacity.maximum) }
}
