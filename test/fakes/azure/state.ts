/**
 * Everything the fake remembers. Resources are kept as ARM sends them on the
 * wire (`{ id, name, type, location, tags, sku, properties }`), keyed by their
 * lower-cased id, because ARM ids are case-insensitive.
 */
export interface ArmResource {
  id: string
  name: string
  type: string
  location?: string
  tags?: Record<string, string>
  sku?: Record<string, unknown>
  zones?: string[]
  identity?: Record<string, unknown>
  kind?: string
  properties: Record<string, unknown>
  [key: string]: unknown
}

/** One simulated VM of a Uniform scale set. */
export interface SimulatedVm {
  instanceId: string
  vmId: string
  /** the model version it runs (see ScaleSetState.models) */
  model: number
  zone?: string
  createdAt: number
  /** when it last booted a model: health starts from here */
  bootedAt: number
  privateIp: string
  provisioningState: string
}

export interface ScaleSetModel {
  /** the virtualMachineProfile as PUT, customData included */
  profile: Record<string, unknown>
  /** customData decoded from base64, where health faults look for their marker */
  customData: string
}

export interface RollingUpgradeStatus {
  code: 'RollingForward' | 'Completed' | 'Faulted' | 'Cancelled'
  startTime: string
  endTime?: string
  successful: number
  failed: number
  error?: { code: string; message: string }
}

export interface ScaleSetState {
  models: Map<number, ScaleSetModel>
  current: number
  nextInstance: number
  vms: SimulatedVm[]
  rolling?: RollingUpgradeStatus
}

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled'

export interface Operation {
  id: string
  subscription: string
  namespace: string
  location: string
  status: OperationStatus
  startTime: string
  endTime?: string
  startedAt: number
  polls: number
  error?: { code: string; message: string }
  /** applies the operation's effect once it ends (provisioningState, removal...) */
  finish(succeeded: boolean): void
}

export type FaultKind = 'failLro' | 'unhealthy' | 'throttle' | 'serverError' | 'deny' | 'refuseCredentials' | 'unregistered'

/** A fault injected through the control endpoint; see control.ts for each kind. */
export interface Fault {
  kind: FaultKind
  /** HTTP method to match (PUT, POST...) */
  method?: string
  /** case-insensitive substring of the request path to match */
  path?: string
  /** the ARM action to refuse (deny), e.g. Microsoft.Compute/virtualMachineScaleSets/write */
  action?: string
  /** unhealthy: a model whose decoded customData contains this text never turns healthy */
  contains?: string
  /** throttle: the Retry-After seconds (default 1) */
  retryAfter?: number
  /** serverError: the status (default 503) */
  status?: number
  /** failLro: the error code the operation fails with */
  code?: string
  /** unregistered: the resource provider namespace reported as NotRegistered */
  namespace?: string
  /** how many more requests it applies to; unset: until cleared */
  times?: number
}

export interface IssuedToken {
  clientId: string
  objectId: string
  tenantId: string
  expiresAt: number
}

/** One row the cost query sums: spend of one resource on one day. */
export interface CostRecord {
  /** YYYY-MM-DD */
  date: string
  cost: number
  currency: string
  tags: Record<string, string>
  resourceGroup?: string
}

export interface LoggedCall {
  method: string
  path: string
  status: number
  at: number
}

export interface FakeOptions {
  /** polls of an async operation answered InProgress before it ends (default 1) */
  lroPolls: number
  /** an operation nobody polls ends by itself after this long (ms, default 1000) */
  lroAutoCompleteMs: number
  /** how long a new VM reports "initializing" before it is healthy (ms, default 0) */
  bootMs: number
  /** items per page of a list (default 100) */
  pageSize: number
  /** rows per page of a cost query (default 1000, as Azure) */
  costPageSize: number
  /** how long issued tokens live (seconds, default 3600) */
  tokenLifetimeSeconds: number
}

export const DEFAULT_OPTIONS: FakeOptions = {
  lroPolls: 1, lroAutoCompleteMs: 1000, bootMs: 0, pageSize: 100, costPageSize: 1000, tokenLifetimeSeconds: 3600,
}

export class FakeState {
  resources = new Map<string, ArmResource>()
  scaleSets = new Map<string, ScaleSetState>()
  /** soft-deleted key vaults by lower-cased name: Azure keeps the name until purged */
  deletedVaults = new Map<string, { vault: ArmResource; deletedAt: string }>()
  operations = new Map<string, Operation>()
  faults: Fault[] = []
  tokens = new Map<string, IssuedToken>()
  costRecords: CostRecord[] = []
  /** secret values by lower-cased secret id: ARM never returns them, tests may read them */
  secretValues = new Map<string, string>()
  /** Percentage CPU per lower-cased resource id, set by the control endpoint */
  cpu = new Map<string, number>()
  log: LoggedCall[] = []
  addresses = 0
  options: FakeOptions

  constructor(options: Partial<FakeOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options }
  }

  get(id: string): ArmResource | undefined {
    return this.resources.get(id.toLowerCase())
  }

  put(resource: ArmResource): void {
    this.resources.set(resource.id.toLowerCase(), resource)
  }

  remove(id: string): void {
    this.resources.delete(id.toLowerCase())
    this.scaleSets.delete(id.toLowerCase())
    this.secretValues.delete(id.toLowerCase())
  }

  /** Resources whose id starts with a prefix (a resource group, a parent resource). */
  under(prefix: string): ArmResource[] {
    const lower = `${prefix.toLowerCase()}/`
    return [...this.resources.values()].filter((resource) => resource.id.toLowerCase().startsWith(lower))
  }

  /** The next address of a pool, for public and private IPs. */
  nextAddress(prefix: string): string {
    this.addresses++
    return `${prefix}.${Math.floor(this.addresses / 250) % 250}.${(this.addresses % 250) + 1}`
  }

  reset(): void {
    this.resources.clear()
    this.scaleSets.clear()
    this.deletedVaults.clear()
    this.operations.clear()
    this.faults = []
    this.costRecords = []
    this.secretValues.clear()
    this.cpu.clear()
    this.log = []
  }

  /** The first fault of a kind that matches; counts it down when it has a budget. */
  takeFault(kind: FaultKind, matches: (fault: Fault) => boolean = () => true): Fault | undefined {
    const fault = this.faults.find((candidate) => candidate.kind === kind && matches(candidate))
    if (!fault) return undefined
    if (fault.times !== undefined) {
      fault.times--
      if (fault.times <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault)
    }
    return fault
  }

  /** Whether a fault of a kind exists, without using it up. */
  hasFault(kind: FaultKind, matches: (fault: Fault) => boolean = () => true): Fault | undefined {
    return this.faults.find((candidate) => candidate.kind === kind && matches(candidate))
  }
}
