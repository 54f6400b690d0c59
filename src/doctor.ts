/**
 * `strato doctor`: what is installed, reachable and authorised, per target.
 * The checks of each target come from its provider's descriptor (what tools
 * it needs, where credentials live); the probes (running a program, reading
 * files and the environment) are passed in, so tests drive every branch.
 */
import type { DescriptorLookup } from './capabilities.js'
import type { Target } from './manifest/schema.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'

export interface DoctorCheck {
  /** what was checked, e.g. "node", "docker engine unix:///var/run/docker.sock", "aws credentials" */
  name: string
  /** the target it belongs to; none for a tool every target of a kind shares (checked once) */
  target?: string
  status: CheckStatus
  detail: string
  /** what to do when status is not ok */
  fix?: string
}

/** What doctor may look at on this machine, without touching a target's API. */
export interface DoctorProbes {
  nodeVersion: string
  env: Record<string, string | undefined>
  /** whether a file under the home folder exists, e.g. ".aws/credentials" */
  homeFileExists(relative: string): boolean
  fileExists(path: string): boolean
  /** a small file's text (a credentials file, to say whose it is), or undefined when it cannot be read */
  readFile?(path: string): string | undefined
  /** runs a program with a timeout and never throws; `missing` when it is not installed */
  exec(file: string, args: string[], timeoutMs: number): Promise<ProgramRun>
  /**
   * whether a descriptor may also ask its target's API (get a token, read the
   * subscription): the CLI says yes; tests of the static checks leave it unset
   */
  reachTargets?: boolean
}

export interface ProgramRun {
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  missing: boolean
}

const MIN_NODE_MAJOR = 22

export async function runDoctor(targets: Record<string, Target>, probes: DoctorProbes, lookup: DescriptorLookup): Promise<DoctorCheck[]> {
  const perTarget = await Promise.all(Object.entries(targets).map(([name, target]) => lookup(target.provider).diagnose(name, target, probes)))
  const checks: DoctorCheck[] = [checkNode(probes.nodeVersion)]
  const shared = new Set<string>()
  for (const check of perTarget.flat()) {
    // A tool several targets need (the docker CLI) is reported once.
    if (check.target === undefined) {
      if (shared.has(check.name)) continue
      shared.add(check.name)
    }
    checks.push(check)
  }
  return checks
}

export function checkNode(version: string): DoctorCheck {
  const major = Number(version.replace(/^v/, '').split('.')[0])
  return major >= MIN_NODE_MAJOR
    ? { name: 'node', status: 'ok', detail: `version ${version}` }
    : { name: 'node', status: 'fail', detail: `version ${version} is older than ${MIN_NODE_MAJOR}`, fix: `Install Node.js ${MIN_NODE_MAJOR} or newer (for example \`npm install -g node@24\`).` }
}

/** A credentials check from where the provider's SDK would look: found sources, or the fix. */
export function credentialsCheck(name: string, target: string, sources: string[], missing: { detail: string; fix: string }): DoctorCheck {
  if (sources.length > 0) return { name, target, status: 'ok', detail: `found: ${sources.join(', ')} (validity is checked on first use)` }
  return { name, target, status: 'fail', ...missing }
}
