/** Which price catalog a run uses: --prices, else the user's refreshed one, else the shipped snapshot. */
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { usageError } from '../errors.js'
import { parseCatalog, SHIPPED_CATALOG, type PriceCatalog } from './catalog.js'

/** Where `strato cost refresh-prices` writes by default: $XDG_CONFIG_HOME/strato/prices.json. */
export function userCatalogPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config')
  return path.join(base, 'strato', 'prices.json')
}

export function loadCatalog(flag: string | undefined, env: NodeJS.ProcessEnv): PriceCatalog {
  const file = flag ?? userCatalogPath(env)
  if (!flag && !existsSync(file)) return SHIPPED_CATALOG
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw usageError(`Cannot read the price catalog ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Check the path given to --prices.')
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw usageError(`The price catalog ${file} is not valid JSON.`, 'Regenerate it with `strato cost refresh-prices`, or remove it to use the shipped snapshot.')
  }
  return parseCatalog(data, file)
}
