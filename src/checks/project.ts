/**
 * Where a check run looks: the project root and its manifest, from -f, --dir
 * or the folder strato runs in. Without a manifest the static checks still run.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { findManifest, loadManifestFile, MANIFEST_NAMES, resolveManifestPath, type LoadedManifest } from '../manifest/load.js'
import { UserError } from '../errors.js'
import type { SkipEntry } from './suppressions.js'
import type { Severity } from './types.js'
import { skipEntries } from './project-files.js'
import { PARSE_ERROR } from './rules/core.js'

export interface CheckProject {
  root: string
  manifestFile?: string
  /** undefined when there is no manifest, or it does not validate (the engine reports why) */
  loaded?: LoadedManifest
  skips: SkipEntry[]
  /** where each target is declared, for live findings in SARIF */
  targetAnchors: Record<string, { path: string; line: number }>
  manifestAnchor?: { path: string; line: number }
  warnings: string[]
}

export function locateCheckProject(flags: { manifest?: string; dir?: string }, cwd: string): CheckProject {
  let manifestFile: string | undefined
  let root: string
  if (flags.manifest) {
    manifestFile = resolveManifestPath(flags.manifest, cwd)
    root = flags.dir ? path.resolve(cwd, flags.dir) : path.dirname(manifestFile)
  } else if (flags.dir) {
    root = path.resolve(cwd, flags.dir)
    manifestFile = MANIFEST_NAMES.map((name) => path.join(root, name)).find((file) => existsSync(file))
  } else {
    manifestFile = findManifest(cwd)
    root = manifestFile ? path.dirname(manifestFile) : cwd
  }
  if (!existsSync(root)) throw new UserError(`No folder at ${root}.`, { code: 'usage', fix: 'Pass --dir with an existing project folder.' })

  const project: CheckProject = { root, manifestFile, skips: [], targetAnchors: {}, warnings: [] }
  if (!manifestFile) return project
  const display = toPosix(path.relative(root, manifestFile)) || path.basename(manifestFile)
  try {
    project.loaded = loadManifestFile(manifestFile, display)
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    project.warnings.push(`${display} is not valid, so its checks settings (failOn, skip, requiredTags) are not applied; see the ${PARSE_ERROR} finding.`)
    return project
  }
  project.skips = skipEntries(project.loaded, display)
  project.manifestAnchor = { path: display, line: 1 }
  for (const name of Object.keys(project.loaded.manifest.targets ?? {})) {
    project.targetAnchors[name] = { path: display, line: project.loaded.locate(['targets', name]).line }
  }
  return project
}

/** What `--fail-on` means when not given and strato.yaml sets no checks.failOn: fail on high and critical findings. */
export const DEFAULT_FAIL_ON: Severity = 'high'

/** The threshold a run fails at: the flag, else checks.failOn, else high; `none` never fails. */
export function failOnFor(flag: string | undefined, configured: Severity | undefined): Severity | undefined {
  if (flag === 'none') return undefined
  return (flag as Severity | undefined) ?? configured ?? DEFAULT_FAIL_ON
}

export function toPosix(file: string): string {
  return file.split(path.sep).join('/')
}
