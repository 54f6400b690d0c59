/** Writing a rendered starter repo to disk, refusing to mix it into a folder that holds other work. */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { usageError } from '../errors.js'
import type { FileMap } from './shop.js'

/** Throws a usage error when dir exists and is not an empty folder, unless force is set. */
export function checkTargetDir(dir: string, shown: string, force: boolean): void {
  if (!existsSync(dir)) return
  if (!statSync(dir).isDirectory()) {
    throw usageError(`${shown} exists and is not a folder.`, 'Choose another folder with --dir, or another project name.')
  }
  if (force || readdirSync(dir).length === 0) return
  throw usageError(
    `${shown} is not empty; strato new does not write into a folder that holds other files.`,
    `Choose another folder with --dir, or pass --force to write the starter repo into ${shown} anyway (files with the same names are overwritten).`,
  )
}

/** Writes every file under dir; returns the relative paths written, in order. */
export function writeTree(dir: string, files: FileMap): string[] {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, ...relative.split('/'))
    mkdirSync(path.dirname(file), { recursive: true })
    // Scripts with a shebang are run, so they are executable; sourced ones (no shebang) are not.
    writeFileSync(file, content)
    chmodSync(file, relative.endsWith('.sh') && content.startsWith('#!') ? 0o755 : 0o644)
  }
  return Object.keys(files)
}
