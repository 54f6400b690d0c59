/**
 * Collects what `strato gate` judges: the head project and its base (through
 * git), the checks on both, the cost estimates of both with one catalog, and
 * the plan of each target that answers. The judging itself is pure
 * (src/gate); this module does the reading, the git and the provider calls.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { CheckReport } from '../src/checks/engine.js'
import { runChecks } from '../src/checks/engine.js'
import { locateCheckProject, type CheckProject } from '../src/checks/project.js'
import { collectProjectFiles } from '../src/checks/project-files.js'
import type { Severity } from '../src/checks/types.js'
import { loadCatalog } from '../src/costs/catalog-file.js'
import { diffEstimates } from '../src/costs/diff.js'
import { estimateManifest } from '../src/costs/estimate.js'
import { checkEstimateBudget } from '../src/costs/estimate-report.js'
import { UserError } from '../src/errors.js'
import { descriptorOf } from '../providers/descriptors.js'
import { emptyEstimate, parseIncreaseLimit } from '../src/gate/cost-limits.js'
import { targetsChangedBy, type DesiredSide } from '../src/gate/plan-scope.js'
import type { GateInput, TargetPlan } from '../src/gate/result.js'
import { effectiveTargets } from '../src/manifest/defaults.js'
import { checkManifest, resolveManifestPath, type LoadedManifest } from '../src/manifest/load.js'
import type { Progress } from '../src/model.js'
import { desiredState } from '../src/planning/desired.js'
import { planProject, serviceVersions } from '../src/planning/project-plan.js'
import type { ProviderSettings } from '../providers/provider.js'
import { checkoutBase } from './git-base.js'
import { openTarget } from './targets.js'

export interface GateOptions {
  manifest?: string
  base?: string
  offline: boolean
  /** a severity, 'none', or undefined for checks.failOn (else high) */
  failOn?: string
  failOnExisting: boolean
  maxIncrease: string[]
  budget?: number
  prices?: string
  settings: ProviderSettings
  /** YYYY-MM-DD: suppressions expire against it */
  today: string
  env: NodeJS.ProcessEnv
}

export interface CollectedGate {
  input: GateInput
  /** the reports, for SARIF */
  head: CheckReport
  base?: CheckReport
  project: CheckProject
}

function checkProject(project: CheckProject, today: string): CheckReport {
  const requiredTags = project.loaded?.manifest.checks?.requiredTags ?? []
  return runChecks({ files: collectProjectFiles(project.root), facts: [], skips: project.skips }, { today, requiredTags })
}

/** Services, replicas and versions per target; undefined when a build context cannot be read (a broken base). */
function desiredSide(loaded: LoadedManifest): DesiredSide | undefined {
  try {
    const targets = effectiveTargets(loaded.manifest)
    return { targets, desired: desiredState(loaded.manifest, targets, serviceVersions(loaded.manifest, loaded.dir)) }
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
}

export async function collectGate(options: GateOptions, cwd: string, progress: Progress): Promise<CollectedGate> {
  const limits = options.maxIncrease.map(parseIncreaseLimit)
  const project = locateCheckProject({ manifest: resolveManifestPath(options.manifest, cwd) }, cwd)
  // Named as the findings are, relative to the project folder, so the report reads the same from any folder.
  const display = path.basename(project.manifestFile!)
  // locateCheckProject keeps the text of a valid manifest only; an invalid one is read again for its problems.
  const { problems } = checkManifest(project.loaded?.text ?? readFileSync(project.manifestFile!, 'utf8'), display)
  const failOn = options.failOn === 'none' ? undefined : (options.failOn as Severity | undefined) ?? project.loaded?.manifest.checks?.failOn ?? 'high'

  progress.step(`Finding the base of this change${options.base ? ` on ${options.base}` : ''}`)
  const base = await checkoutBase(project.root, options.base)
  try {
    progress.step(`Comparing with ${base.commit.slice(0, 12)} (the merge base with ${base.ref})`)
    const baseProject = existsSync(base.projectDir) ? locateCheckProject({ dir: base.projectDir }, cwd) : undefined
    const head = checkProject(project, options.today)
    const baseReport = baseProject ? checkProject(baseProject, options.today) : undefined
    const input: GateInput = {
      base: { ref: base.ref, commit: base.commit },
      manifest: { file: display, problems },
      findings: { head, base: baseReport, failOn, failOnExisting: options.failOnExisting },
    }
    if (problems.length || !project.loaded) return { input, head, base: baseReport, project }

    const loaded = project.loaded
    const baseLoaded = baseProject?.loaded
    const catalog = loadCatalog(options.prices, options.env)
    const headEstimate = estimateManifest(loaded.manifest, catalog, descriptorOf)
    const baseEstimate = baseLoaded ? estimateManifest(baseLoaded.manifest, catalog, descriptorOf) : emptyEstimate(headEstimate)
    const notes = [...new Set([...baseEstimate.warnings, ...headEstimate.warnings])]
    if (!baseLoaded) notes.unshift(baseProject?.manifestFile ? `The base's ${display} is not valid, so its cost counts as zero.` : `The base has no ${display}: all of the cost is new.`)
    const budget = options.budget ?? loaded.manifest.budgets?.monthly
    input.cost = {
      diff: diffEstimates(baseEstimate, headEstimate),
      budget: budget === undefined ? undefined : checkEstimateBudget(headEstimate, budget, 'expected'),
      limits,
      notes,
    }

    const headSide = desiredSide(loaded)
    const needed = new Set(headSide ? targetsChangedBy(headSide, baseLoaded && desiredSide(baseLoaded)) : Object.keys(effectiveTargets(loaded.manifest)))
    input.plan = { offline: options.offline, targets: await planTargets(loaded, needed, options, progress) }
    return { input, head, base: baseReport, project }
  } finally {
    await base.remove()
  }
}

const SKIPPED_BECAUSE: Partial<Record<string, Exclude<TargetPlan['status'], 'planned' | 'offline'>>> = {
  unreachable: 'unreachable',
  denied: 'denied',
  notSupported: 'unsupported',
}

/** Plans each target that answers; one that cannot be reached, refuses or is not built yet is recorded, not thrown. */
async function planTargets(loaded: LoadedManifest, needed: Set<string>, options: GateOptions, progress: Progress): Promise<TargetPlan[]> {
  const targets = effectiveTargets(loaded.manifest)
  const plans: TargetPlan[] = []
  const versions = options.offline ? {} : serviceVersions(loaded.manifest, loaded.dir)
  for (const [name, target] of Object.entries(targets)) {
    const common = { target: name, provider: target.provider, needed: needed.has(name) }
    if (options.offline) {
      plans.push({ ...common, status: 'offline', message: 'planning was skipped' })
      continue
    }
    progress.step(`Planning target ${name}`)
    try {
      const provider = await openTarget(loaded, name, progress, options.settings)
      try {
        const inventory = await provider.inventory(loaded.manifest.name)
        plans.push({ ...common, status: 'planned', actions: planProject(loaded.manifest, targets, [name], versions, { [name]: inventory }).actions })
      } finally {
        await provider.close?.()
      }
    } catch (error) {
      const status = error instanceof UserError ? SKIPPED_BECAUSE[error.options.code ?? 'failure'] : undefined
      if (!status) throw error
      progress.warn(`Target ${name} was not planned: ${(error as UserError).message}`)
      plans.push({ ...common, status, message: (error as UserError).message })
    }
  }
  return plans
}
