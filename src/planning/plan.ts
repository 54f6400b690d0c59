/**
 * Desired versus actual: for one target, compares the manifest's services
 * with the replicas a provider's inventory reports and returns the actions
 * that make them equal. Provider-neutral: any provider whose inventory labels
 * its replicas with service and version plugs in.
 */
import { isReplica, type Action, type Resource } from '../model.js'
import type { DesiredService } from './desired.js'

export interface ActualService {
  replicas: number
  versions: string[]
}

export function actualByService(resources: Resource[]): Map<string, ActualService> {
  const byService = new Map<string, ActualService>()
  for (const resource of resources) {
    if (!isReplica(resource)) continue
    if (resource.state !== 'running' && resource.state !== 'pending') continue
    const entry = byService.get(resource.service) ?? { replicas: 0, versions: [] }
    entry.replicas += 1
    if (resource.version && !entry.versions.includes(resource.version)) entry.versions.push(resource.version)
    byService.set(resource.service, entry)
  }
  return byService
}

export function planTarget(target: string, desired: DesiredService[], actual: Resource[]): Action[] {
  const current = actualByService(actual.filter((resource) => resource.target === target))
  const actions: Action[] = []
  for (const wanted of desired.filter((entry) => entry.target === target)) {
    const have = current.get(wanted.service)
    // The autoscaler owns the count of an autoscaled service while it stays inside min..max.
    const keepsCount = wanted.range && have && have.replicas >= wanted.range.min && have.replicas <= wanted.range.max
    const want = keepsCount ? { ...wanted, replicas: have.replicas } : wanted
    current.delete(want.service)
    if (!have || have.replicas === 0) {
      if (want.replicas === 0) actions.push({ kind: 'noop', target, service: want.service, from: 0, to: 0, toVersion: want.version, reasons: ['0 replicas wanted'] })
      else actions.push({ kind: 'create', target, service: want.service, from: 0, to: want.replicas, toVersion: want.version, reasons: [`new service, ${want.replicas} replica${want.replicas === 1 ? '' : 's'}`] })
      continue
    }
    const stale = have.versions.filter((version) => version !== want.version)
    if (want.replicas === 0) {
      actions.push({ kind: 'delete', target, service: want.service, from: have.replicas, to: 0, reasons: ['0 replicas wanted'] })
    } else if (stale.length > 0) {
      const reasons = [`version ${stale.join(', ')} -> ${want.version}`]
      if (have.replicas !== want.replicas) reasons.push(`replicas ${have.replicas} -> ${want.replicas}`)
      actions.push({ kind: 'update', target, service: want.service, from: have.replicas, to: want.replicas, fromVersion: stale[0], toVersion: want.version, reasons })
    } else if (have.replicas !== want.replicas) {
      actions.push({ kind: 'scale', target, service: want.service, from: have.replicas, to: want.replicas, fromVersion: want.version, toVersion: want.version, reasons: [`replicas ${have.replicas} -> ${want.replicas}`] })
    } else {
      actions.push({ kind: 'noop', target, service: want.service, from: have.replicas, to: want.replicas, fromVersion: want.version, toVersion: want.version, reasons: ['up to date'] })
    }
  }
  for (const [service, have] of current) {
    actions.push({ kind: 'delete', target, service, from: have.replicas, to: 0, fromVersion: have.versions[0], reasons: ['not in strato.yaml any more'] })
  }
  return actions
}

/** True when a plan changes nothing. */
export function isNoop(actions: Action[]): boolean {
  return actions.every((action) => action.kind === 'noop')
}
