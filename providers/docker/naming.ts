/** Names and labels of everything strato creates on a Docker host: one place, so destroy and inventory agree. */
import { LABEL } from '../../src/model.js'

export const ROLE = { replica: 'replica', balancer: 'balancer', lock: 'lock', release: 'release', network: 'network', image: 'image', volume: 'volume' } as const
export type Role = (typeof ROLE)[keyof typeof ROLE]

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

export function projectLabels(project: string, role: Role, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL.project]: project, [LABEL.role]: role, ...extra }
}

/** The filter that selects a project's resources and nothing else. */
export function projectFilter(project: string): string[] {
  return ['--filter', `label=${LABEL.project}=${project}`]
}
