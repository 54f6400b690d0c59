/**
 * What `strato new` may be asked for, and the one place that turns raw flags
 * into a complete, checked set of choices for the shop template.
 */
import { usageError } from '../errors.js'
import { DEFAULT_TARGET } from '../manifest/defaults.js'
import { DNS_LABEL, DNS_LABEL_RULE, LB_ALGORITHMS, PROVIDER_KINDS, type ProviderKind } from '../manifest/schema.js'

export const RUNTIMES = ['node', 'python'] as const
export const DATABASES = ['postgres', 'mysql'] as const
/** In dependency order: each service may only need the ones before it. */
export const SHOP_SERVICES = ['users', 'orders', 'payments'] as const
/** The CI system the starter repo's pipeline is written for. */
export const CI_SYSTEMS = ['github', 'gitlab', 'none'] as const

export type Runtime = (typeof RUNTIMES)[number]
export type Database = (typeof DATABASES)[number]
export type ShopService = (typeof SHOP_SERVICES)[number]
export type LbAlgorithm = (typeof LB_ALGORITHMS)[number]
export type CiSystem = (typeof CI_SYSTEMS)[number]

/**
 * Why a service needs another: orders checks the buyer against the users the
 * users service writes; payments only exist as the second half of an order.
 */
export const SERVICE_NEEDS: Record<ShopService, { service: ShopService; why: string }[]> = {
  users: [],
  orders: [{ service: 'users', why: 'every order belongs to a user that the users service creates' }],
  payments: [{ service: 'orders', why: 'payments are written by orders, in the same transaction as their order' }],
}

export interface ShopOptions {
  name: string
  runtime: Runtime
  db: Database
  cache: boolean
  readReplica: boolean
  lb: LbAlgorithm
  services: ShopService[]
  targets: ProviderKind[]
  ci: CiSystem
}

export interface RawShopOptions {
  name?: string
  runtime?: string
  db?: string
  cache?: boolean
  readReplica?: boolean
  lb?: string
  /** comma-separated, as given to --services */
  services?: string
  targets?: string[]
  ci?: string
}

export const DEFAULT_SHOP_OPTIONS = {
  runtime: 'node',
  db: 'postgres',
  lb: 'round-robin',
  // the kind of the target a manifest without targets deploys to
  targets: [DEFAULT_TARGET.provider],
  ci: 'github',
} as const satisfies Partial<ShopOptions>

/** A project name check that states the rule, for prompts (returns the message) and flags (throws). */
export function projectNameProblem(name: string): string | undefined {
  if (DNS_LABEL.test(name)) return undefined
  return `The project name "${name}" is not ${DNS_LABEL_RULE}.`
}

export function checkProjectName(name: string): string {
  const problem = projectNameProblem(name)
  if (problem) throw usageError(problem, `Choose a name such as "shop" or "${suggestName(name)}".`)
  return name
}

/** A DNS-label version of whatever was typed, for the fix line. */
function suggestName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63).replace(/-+$/, '')
  return cleaned || 'my-shop'
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw usageError(`--${flag} must be one of ${allowed.join(', ')}, got "${value}".`, `Pass for example --${flag} ${allowed[0]}.`)
}

/** Checks the values given as arguments and flags before any prompt: a wrong flag is reported at once, not after the questions. */
export function checkGivenShopOptions(raw: RawShopOptions): void {
  if (raw.name !== undefined && raw.name !== '') checkProjectName(raw.name)
  if (raw.runtime !== undefined) oneOf('runtime', raw.runtime, RUNTIMES)
  if (raw.db !== undefined) oneOf('db', raw.db, DATABASES)
  if (raw.lb !== undefined) oneOf('lb', raw.lb, LB_ALGORITHMS)
  for (const target of raw.targets ?? []) oneOf('target', target, PROVIDER_KINDS)
  resolveServices(raw.services)
}

export function resolveShopOptions(raw: RawShopOptions): ShopOptions {
  if (raw.name === undefined || raw.name === '') {
    throw usageError('Missing the project name.', 'Pass it as the first argument, for example `strato new shop`.')
  }
  const targets = (raw.targets?.length ? raw.targets : [...DEFAULT_SHOP_OPTIONS.targets]).map((target) => oneOf('target', target, PROVIDER_KINDS))
  return {
    name: checkProjectName(raw.name),
    runtime: oneOf('runtime', raw.runtime ?? DEFAULT_SHOP_OPTIONS.runtime, RUNTIMES),
    db: oneOf('db', raw.db ?? DEFAULT_SHOP_OPTIONS.db, DATABASES),
    cache: raw.cache ?? false,
    readReplica: raw.readReplica ?? false,
    lb: oneOf('lb', raw.lb ?? DEFAULT_SHOP_OPTIONS.lb, LB_ALGORITHMS),
    services: resolveServices(raw.services),
    targets: [...new Set(targets)],
    ci: oneOf('ci', raw.ci ?? DEFAULT_SHOP_OPTIONS.ci, CI_SYSTEMS),
  }
}

/** Parses --services, checks each name and that what a service needs is there too; keeps dependency order. */
export function resolveServices(list: string | undefined): ShopService[] {
  if (list === undefined) return [...SHOP_SERVICES]
  const names = list.split(',').map((name) => name.trim()).filter(Boolean)
  if (names.length === 0) throw usageError('--services is empty.', `Name at least one of ${SHOP_SERVICES.join(', ')}, e.g. --services users,orders.`)
  const chosen = new Set(names.map((name) => oneOf('services', name, SHOP_SERVICES)))
  for (const service of chosen) {
    for (const need of SERVICE_NEEDS[service]) {
      if (!chosen.has(need.service)) {
        throw usageError(
          `--services has ${service} without ${need.service}: ${need.why}.`,
          `Add ${need.service}, e.g. --services ${SHOP_SERVICES.filter((name) => chosen.has(name) || name === need.service).join(',')}.`,
        )
      }
    }
  }
  return SHOP_SERVICES.filter((name) => chosen.has(name))
}
