/**
 * Maps a provider kind to a lazy import of its module. Cloud SDKs cost from
 * 70 ms to a second to load, so a provider (and its SDK) is imported only
 * when a target of that kind is used.
 */
import type { ProviderKind } from '../src/manifest/schema.js'
import { notSupported, usageError } from '../src/errors.js'
import type { Provider, ProviderContext, ProviderFactory } from './provider.js'

type Loader = () => Promise<{ createProvider: ProviderFactory }>

/** One entry per kind: a lazy import of providers/<kind>/index.js, or undefined while not built. */
const loaders: Record<ProviderKind, Loader | undefined> = {
  docker: () => import('./docker/index.js'),
  aws: () => import('./aws/index.js'),
  azure: undefined,
  gcp: undefined,
  kubernetes: () => import('./kubernetes/index.js'),
}

/** The provider for one target of the manifest. */
export async function providerFor(context: ProviderContext): Promise<Provider> {
  const kind = context.target.provider
  const loader = loaders[kind]
  if (!loader) {
    throw notSupported(`The ${kind} provider (target "${context.targetName}")`, `Deploy, scale and status work on docker and aws targets so far; this ${kind} target already validates and is priced by \`strato cost\`. Use --target to act on another target.`)
  }
  const module = await loader()
  return module.createProvider(context)
}

/** The targets a command should act on: all of them, or the one named by --target. */
export function selectTargets(targets: Record<string, unknown> | undefined, only: string | undefined): string[] {
  const names = Object.keys(targets ?? {})
  if (only === undefined) return names
  if (!names.includes(only)) {
    throw usageError(`Unknown target "${only}".`, names.length ? `Use one of: ${names.join(', ')}.` : 'Add a targets section to strato.yaml.')
  }
  return [only]
}
