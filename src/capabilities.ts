/**
 * What each provider kind can do, declared as data (a ProviderDescriptor per
 * kind, in providers/<kind>/descriptor.ts), and the pure checks over it:
 * validate and plan refuse a manifest that asks a target for something its
 * provider cannot do, and commands ask the descriptor, never the kind.
 */
import type { DoctorCheck, DoctorProbes } from './doctor.js'
import { notSupported, UserError } from './errors.js'
import type { LabelCodec } from './labels.js'
import { effectiveTargets } from './manifest/defaults.js'
import type { RawIssue } from './manifest/rules.js'
import type { Autoscale, Manifest, ProviderKind, Target } from './manifest/schema.js'
import { placeReplicas } from './placement.js'
import { closest } from './suggest.js'

/** A capability a provider lacks: why, and what to use instead. */
export interface Refusal {
  reason: string
  instead: string
}

/** `true` when the provider can do it; otherwise the refusal, worded for the person reading the error. */
export type Support = true | Refusal

export const VERBS = ['deploy', 'scale', 'releases', 'rollback', 'logs', 'destroy', 'facts', 'metrics'] as const
export type Verb = (typeof VERBS)[number]

export const AUTOSCALE_METRICS = ['cpu', 'requests', 'memory'] as const
export type AutoscaleMetric = (typeof AUTOSCALE_METRICS)[number]

export interface AutoscalingCapabilities {
  /**
   * native: `strato autoscale apply` writes the provider's own policies
   * (Provider.applyAutoscaling); controller: strato's `autoscale run` observes
   * and scales the target itself.
   */
  driver: 'native' | 'controller'
  /** target tracking, per metric */
  target: Record<AutoscaleMetric, Support>
  /** step rules, per metric */
  steps: Record<AutoscaleMetric, Support>
  schedules: Support
  /** autoscale.scaleInLimit: at most N replicas removed per window */
  scaleInLimit: Support
  stabilization: Support
  cooldown: Support
}

/** Where `strato cost actual` gets a target's spend: the provider's billing API, the on-prem model, or FOCUS exports only. */
export type SpendSource = 'provider' | 'model' | 'focus'

/** The manifest field that places a target (region, location, zone) and the values it may take. */
export interface Locations {
  field: string
  /** what the field is called for people: region, location, zone */
  noun: string
  /** the one list of known values for this provider */
  known: readonly string[]
  /** the known-list entry a value belongs to (a GCP zone's region); the value itself by default */
  entryOf?(value: string): string
}

/** How `strato cost` prices a target of this kind. */
export type Pricing =
  | {
    model: 'catalog'
    /** the target field holding the catalog region and the instance size, and the size assumed when absent */
    regionField: string
    sizeField: string
    defaultSize: string
    /** the catalog region of the field's value (a GCP zone is priced by its region) */
    regionOf?(value: string): string
  }
  /**
   * docker: the hosts' declared cost (targets.<name>.cost), shared by reservations.
   * shared (kubernetes): the cost is one node's, the cluster serves others too, so no idle line is charged.
   */
  | { model: 'hosts'; shared?: boolean }

export interface ProviderDescriptor {
  kind: ProviderKind
  /** how people name it: "Docker", "AWS" */
  title: string
  /** false while the provider is not built: commands that act on its targets answer "not supported yet" (exit 7) */
  built: boolean
  /** what works for a target of this kind meanwhile, for the "not supported yet" error */
  meanwhile?: string
  verbs: Record<Verb, Support>
  rollout: {
    /** one line for people: how a new version replaces the old */
    how: string
    /** a replica that never turns healthy stops the rollout and the old version keeps serving */
    healthGatedRollback: boolean
    /** seconds a new replica has to turn healthy when --health-timeout is not given */
    healthTimeoutSeconds: number
  }
  autoscaling: AutoscalingCapabilities
  spend: { source: SpendSource; how: string }
  /** the label/tag codec: strato's state in this provider's labels */
  labels: LabelCodec
  locations?: Locations
  pricing: Pricing
  /** what `strato new --target KIND` writes: the target's name and settings */
  starter(project: string): { name: string; target: Target }
  /** doctor's checks for one target of this kind: tools, reachability, credentials (no SDK, no calls to the target) */
  diagnose(name: string, target: Target, probes: DoctorProbes): Promise<DoctorCheck[]>
}

/** Finds the descriptor of a kind; the cli layer passes providers/descriptors.ts's, tests pass their own. */
export type DescriptorLookup = (kind: ProviderKind) => ProviderDescriptor

/** A capability a provider lacks: the reason, for the error, then what to use instead, for its fix line. */
export function refuse(reason: string, instead: string): Refusal {
  return { reason, instead }
}

/**
 * The "not supported yet" error (exit 7): the provider refuses this (the
 * descriptor's reason and what to use instead), or, without a refusal, the
 * provider is not built yet.
 */
export function notSupportedError(descriptor: ProviderDescriptor, what: string, targetName: string, refusal?: Refusal): UserError {
  const why = refusal ?? refuse('it is not built yet', descriptor.meanwhile ?? 'Use --target to act on another target.')
  return notSupported(`${what} on ${descriptor.title} target "${targetName}" (${why.reason})`, why.instead)
}

/** The "not supported yet" error for a verb, with the descriptor's reason. */
export function verbNotSupported(descriptor: ProviderDescriptor, verb: Verb, targetName: string): UserError {
  const support = descriptor.verbs[verb]
  return notSupportedError(descriptor, verbNoun(verb), targetName, descriptor.built && support !== true ? support : undefined)
}

/** Throws "not supported yet" (exit 7) unless the provider is built and its descriptor declares the verb. */
export function requireVerb(descriptor: ProviderDescriptor, verb: Verb, targetName: string): void {
  if (!descriptor.built || descriptor.verbs[verb] !== true) throw verbNotSupported(descriptor, verb, targetName)
}

function verbNoun(verb: Verb): string {
  const nouns: Record<Verb, string> = {
    deploy: 'Deploying', scale: 'Scaling', releases: 'Release history', rollback: 'Rollback', logs: 'Logs', destroy: 'Destroy', facts: 'Live facts', metrics: 'Metrics',
  }
  return nouns[verb]
}

/** The target's value of a field (targets are a union: the descriptor names the field). */
export function targetField(target: Target, field: string): string | undefined {
  const value = (target as Record<string, unknown>)[field]
  return typeof value === 'string' ? value : undefined
}

/** Where and what a catalog-priced target runs, or undefined for host-priced kinds. */
export function pricedPlacement(descriptor: ProviderDescriptor, target: Target): { region: string; size: string; assumed: boolean; sizeField: string } | undefined {
  const pricing = descriptor.pricing
  if (pricing.model !== 'catalog') return undefined
  const place = targetField(target, pricing.regionField) ?? ''
  const size = targetField(target, pricing.sizeField)
  return { region: pricing.regionOf ? pricing.regionOf(place) : place, size: size ?? pricing.defaultSize, assumed: size === undefined, sizeField: pricing.sizeField }
}

/** Why a target's location is not one the provider knows, with a "did you mean"; undefined when it is fine. */
export function unknownLocation(descriptor: ProviderDescriptor, target: Target): string | undefined {
  const locations = descriptor.locations
  if (!locations) return undefined
  const value = targetField(target, locations.field)
  if (value === undefined) return undefined
  const entry = locations.entryOf ? locations.entryOf(value) : value
  if (locations.known.includes(entry)) return undefined
  const hint = locationSuggestion(descriptor, locations.field, value) || ` (known: ${locations.known.join(', ')})`
  return `"${value}" is not a${/^[aeiou]/i.test(descriptor.title) ? 'n' : ''} ${descriptor.title} ${locations.noun}${hint}`
}

/** A "did you mean" for a location, from the provider's one list (a zone keeps its letter: europe-wst1-b -> europe-west1-b). */
export function locationSuggestion(descriptor: ProviderDescriptor, field: string, value: string): string {
  const locations = descriptor.locations
  if (!locations || locations.field !== field) return ''
  const entry = locations.entryOf ? locations.entryOf(value) : value
  const match = closest(entry, locations.known)
  return match && match !== entry ? `; did you mean "${value.replace(entry, match)}"?` : ''
}

/** The targets a service may run on: wherever placement puts it at its largest replica count. */
export function serviceTargets(manifest: Manifest, service: string): string[] {
  const spec = manifest.services[service]
  const most = Math.max(spec.autoscale?.max ?? 0, spec.replicas ?? 0, 1)
  return Object.keys(placeReplicas(manifest, service, most))
}

/** The autoscale features a policy uses, each with the manifest path that asks for it and the capability it needs. */
export function autoscaleFeatures(policy: Autoscale): { path: (string | number)[]; feature: string; support(capabilities: AutoscalingCapabilities): Support }[] {
  const features: ReturnType<typeof autoscaleFeatures> = []
  for (const metric of AUTOSCALE_METRICS) {
    if (policy.target?.[metric] !== undefined) features.push({ path: ['target', metric], feature: `target.${metric}`, support: (c) => c.target[metric] })
  }
  ;(policy.steps ?? []).forEach((step, index) => {
    features.push({ path: ['steps', index, 'metric'], feature: `step rules on ${step.metric}`, support: (c) => c.steps[step.metric] })
  })
  if (policy.schedule?.length) features.push({ path: ['schedule'], feature: 'schedules', support: (c) => c.schedules })
  if (policy.scaleInLimit) features.push({ path: ['scaleInLimit'], feature: 'scale-in limits', support: (c) => c.scaleInLimit })
  if (policy.stabilization !== undefined) features.push({ path: ['stabilization'], feature: 'a stabilisation window', support: (c) => c.stabilization })
  if (policy.cooldown !== undefined) features.push({ path: ['cooldown'], feature: 'a cooldown', support: (c) => c.cooldown })
  return features
}

/**
 * Everything the manifest asks of a target that its provider cannot do, as
 * manifest issues (path + message) the loader turns into file:line:col
 * errors. Pure: the descriptors come in through `lookup`.
 */
export function capabilityIssues(manifest: Manifest, lookup: DescriptorLookup): RawIssue[] {
  const issues: RawIssue[] = []
  const targets = effectiveTargets(manifest)
  for (const [name, target] of Object.entries(targets)) {
    const descriptor = lookup(target.provider)
    const location = unknownLocation(descriptor, target)
    if (location) issues.push({ path: ['targets', name, descriptor.locations!.field], message: location })
    const { overflow } = descriptor.labels.encode({ project: manifest.name })
    if (Object.keys(overflow).length > 0) {
      issues.push({ path: ['name'], message: `cannot be a ${descriptor.title} label value (${descriptor.labels.rules.summary}); target ${name} selects the project's resources by it` })
    }
  }
  for (const [service, spec] of Object.entries(manifest.services)) {
    if (!spec.autoscale) continue
    const features = autoscaleFeatures(spec.autoscale)
    for (const name of serviceTargets(manifest, service).filter((target) => targets[target])) {
      const descriptor = lookup(targets[name].provider)
      for (const feature of features) {
        const support = feature.support(descriptor.autoscaling)
        if (support === true) continue
        issues.push({ path: ['services', service, 'autoscale', ...feature.path], message: `targets.${name}: ${support.reason}; ${support.instead}` })
      }
    }
  }
  return issues
}
