/**
 * Maps a provider kind to lazy imports of its modules. Cloud SDKs cost from
 * 70 ms to a second to load, so a provider (and its SDK) is imported only
 * when a target of that kind is used; its autoscaling compiler (pure, no SDK)
 * loads on its own for dry runs.
 */
import type { CompileAutoscaling } from '../src/autoscaling/compile.js'
import { notSupportedError } from '../src/capabilities.js'
import type { ProviderKind } from '../src/manifest/schema.js'
import { descriptorOf } from './descriptors.js'
import type { Provider, ProviderContext, ProviderFactory } from './provider.js'

interface ProviderModules {
  provider(): Promise<{ createProvider: ProviderFactory }>
  compiler(): Promise<{ compileAutoscaling: CompileAutoscaling }>
}

/** One entry per built kind; a kind without one answers "not supported yet" with its descriptor's `meanwhile`. */
const modules: Partial<Record<ProviderKind, ProviderModules>> = {
  docker: { provider: () => import('./docker/index.js'), compiler: () => import('./docker/autoscaling-compile.js') },
  aws: { provider: () => import('./aws/index.js'), compiler: () => import('./aws/autoscaling-compile.js') },
  azure: { provider: () => import('./azure/index.js'), compiler: () => import('./azure/autoscaling-compile.js') },
  gcp: { provider: () => import('./gcp/index.js'), compiler: () => import('./gcp/autoscaling-compile.js') },
  kubernetes: { provider: () => import('./kubernetes/index.js'), compiler: () => import('./kubernetes/autoscaling-compile.js') },
}

function modulesOf(kind: ProviderKind, targetName: string, what: string): ProviderModules {
  const entry = modules[kind]
  const descriptor = descriptorOf(kind)
  if (!entry || !descriptor.built) throw notSupportedError(descriptor, what, targetName)
  return entry
}

/** The provider for one target of the manifest. */
export async function providerFor(context: ProviderContext): Promise<Provider> {
  const module = await modulesOf(context.target.provider, context.targetName, 'The provider').provider()
  return module.createProvider(context)
}

/** The autoscaling compiler of a kind: pure, no SDK, so a dry run needs no credentials. */
export async function compilerFor(kind: ProviderKind, targetName: string): Promise<CompileAutoscaling> {
  return (await modulesOf(kind, targetName, 'Autoscaling').compiler()).compileAutoscaling
}
