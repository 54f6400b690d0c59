/**
 * Reading a regional managed instance group back: its size, versions and
 * whether it has settled, and its members' state and health. An operation
 * being DONE says nothing about the group's instances, so a rollout waits
 * for status.isStable, status.versionTarget.isReached and every member
 * HEALTHY on the wanted template. Pure: the recorded-traffic test feeds it
 * real answers.
 */
import type { protos } from '@google-cloud/compute'
import type { Resource } from '../../src/model.js'
import { readStateDescription } from './resource-state.js'

type Group = protos.google.cloud.compute.v1.IInstanceGroupManager
type ManagedInstance = protos.google.cloud.compute.v1.IManagedInstance

export const lastSegment = (link: string | null | undefined): string => (link ?? '').split('/').pop() ?? ''

export interface GroupState {
  name: string
  targetSize: number
  stable: boolean
  versionReached: boolean
  /** template names, the group's versions in order (one outside a rollout) */
  templates: string[]
  /** strato's state from the description, when strato made the group */
  state?: Record<string, string>
  autoscaler?: string
  /** the link the balancer's backends point at */
  instanceGroup?: string
}

export function readGroup(group: Group): GroupState {
  const versions = (group.versions ?? []).map((version) => lastSegment(version.instanceTemplate))
  return {
    name: String(group.name),
    targetSize: Number(group.targetSize ?? 0),
    stable: group.status?.isStable === true,
    versionReached: group.status?.versionTarget?.isReached === true,
    templates: versions.length ? versions : group.instanceTemplate ? [lastSegment(group.instanceTemplate)] : [],
    state: readStateDescription(group.description),
    autoscaler: group.status?.autoscaler ? lastSegment(group.status.autoscaler) : undefined,
    instanceGroup: group.instanceGroup ?? undefined,
  }
}

export interface MemberState {
  name: string
  zone: string
  template: string
  /** the group's action on it: NONE once it is settled */
  action: string
  state: Resource['state']
  health: NonNullable<Resource['health']>
}

const STATES: Record<string, Resource['state']> = {
  PROVISIONING: 'pending', STAGING: 'pending', RUNNING: 'running', STOPPING: 'stopped', STOPPED: 'stopped',
  SUSPENDING: 'stopped', SUSPENDED: 'stopped', REPAIRING: 'pending', TERMINATED: 'stopped',
}

function healthOf(instance: ManagedInstance): MemberState['health'] {
  const states = (instance.instanceHealth ?? []).map((health) => health.detailedHealthState)
  if (states.length === 0) return 'none'
  if (states.every((state) => state === 'HEALTHY')) return 'healthy'
  if (states.some((state) => state === 'UNHEALTHY' || state === 'TIMEOUT')) return 'unhealthy'
  return 'starting'
}

export function readMembers(instances: ManagedInstance[]): MemberState[] {
  return instances.map((instance) => {
    const link = instance.instance ?? ''
    return {
      name: lastSegment(link),
      zone: /\/zones\/([^/]+)\//.exec(link)?.[1] ?? '',
      template: lastSegment(instance.version?.instanceTemplate),
      action: String(instance.currentAction ?? 'NONE'),
      state: STATES[String(instance.instanceStatus ?? '')] ?? (instance.currentAction === 'CREATING' ? 'pending' : 'unknown'),
      health: healthOf(instance),
    }
  })
}

/**
 * Whether a rollout to `template` has finished: settled group, every member on it, running and healthy
 * (a worker's group has no health check: its members report none, and running is all there is to wait for).
 */
export function rolloutDone(group: GroupState, members: MemberState[], template: string): boolean {
  return group.stable && group.versionReached && members.length === group.targetSize
    && members.every((member) => member.template === template && member.action === 'NONE' && member.state === 'running' && (member.health === 'healthy' || member.health === 'none'))
}
