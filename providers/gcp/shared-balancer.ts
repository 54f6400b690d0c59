/**
 * The one HTTP load balancer a target's services share: a URL map with a
 * route per service, a target proxy and a global forwarding rule. It is put
 * in line with the services the target runs after every change, and removed
 * (rule, proxy, map: the order their references allow) when none is left.
 */
import type { protos } from '@google-cloud/compute'
import type { Progress } from '../../src/model.js'
import { globalForwardingRuleBody, proxyBody, urlMapBody } from './balancer-bodies.js'
import { ensureForwardingRule, ensureProxy, ensureUrlMap, remove } from './compute-resources.js'
import type { DeploymentContext } from './deployment.js'
import { balancerName, serviceResourceName } from './naming.js'
import { links } from './target-settings.js'

type ForwardingRule = protos.google.cloud.compute.v1.IForwardingRule

/** Routes to `services` (sorted), or removes the balancer when there are none; returns its forwarding rule. */
export async function putSharedBalancer(context: Pick<DeploymentContext, 'api' | 'manifest' | 'targetName' | 'settings'>, services: string[], progress: Progress): Promise<ForwardingRule | undefined> {
  const { api, manifest, targetName, settings } = context
  const project = manifest.name
  if (services.length === 0) {
    await removeSharedBalancer(context)
    return undefined
  }
  const link = links(settings)
  const name = balancerName(project, targetName)
  const backends = [...services].sort().map((service) => ({ service, link: link.backendService(serviceResourceName(project, service), false) }))
  const changed = await ensureUrlMap(api, urlMapBody({ project, target: targetName, backends }))
  if (changed !== 'unchanged') progress.step(`${targetName}: HTTP load balancer routes ${backends.map((backend) => `/${backend.service}/`).join(', ')}`)
  await ensureProxy(api, proxyBody(project, targetName, link.urlMap(name)))
  return ensureForwardingRule(api, globalForwardingRuleBody(project, targetName, link.proxy(name)), 'global')
}

export async function removeSharedBalancer(context: Pick<DeploymentContext, 'api' | 'manifest' | 'targetName'>): Promise<number> {
  const { api } = context
  const name = balancerName(context.manifest.name, context.targetName)
  const removed = [
    await remove.forwardingRule(api, name, 'global'),
    await remove.proxy(api, name),
    await remove.urlMap(api, name),
  ]
  return removed.filter(Boolean).length
}
