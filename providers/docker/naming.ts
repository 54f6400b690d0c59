/**
 * Names and labels of everything strato creates on a Docker host: one place,
 * so destroy and inventory agree. Labels are written and read through the
 * docker codec (label-codec.ts).
 */
import type { LabelState } from '../../src/labels.js'
import { dockerLabelCodec } from './label-codec.js'

export const ROLE = { replica: 'replica', balancer: 'balancer', lock: 'lock', release: 'release', network: 'network', image: 'image', volume: 'volume' } as const
export type Role = (typeof ROLE)[keyof typeof ROLE]

/** strato's state keys in docker labels (strato.project, ...), for filters and lookups. */
export const LABEL_KEY = dockerLabelCodec.keys

export const names = {
  network: (project: string) => `strato-${project}`,
  balancer: (project: string) => `strato-${project}-lb`,
  lock: (project: string) => `strato-${project}-lock`,
  release: (project: string, number: number) => `strato-${project}-release-${number}`,
  image: (project: string, service: string, version: string) => `strato-${project}-${service}:${version}`,
  replica: (project: string, service: string, version: string, suffix: string) => `strato-${project}-${service}-${version}-${suffix}`,
  volume: (project: string, volume: string) => `strato-${project}-${volume}`,
}

/** --label flags for a resource of a project. */
export function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`])
}

/** The labels of a resource of the project in a role, with more state (service, version, extras). */
export function projectLabels(project: string, role: Role, state: Omit<LabelState, 'project' | 'role'> = {}): Record<string, string> {
  // Docker labels hold any text: nothing overflows.
  return dockerLabelCodec.encode({ project, role, ...state }).labels
}

/** strato's state on a container, network or image, or undefined for a resource strato did not label. */
export function labelState(labels: Record<string, string> | null | undefined): LabelState | undefined {
  return dockerLabelCodec.decode(labels ?? {})
}

/** The filter that selects a project's resources and nothing else. */
export function projectFilter(project: string): string[] {
  return ['--filter', `label=${LABEL_KEY.project}=${project}`]
}
