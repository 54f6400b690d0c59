/**
 * Everything in the subscription that carries the project's tag, as
 * Resource Manager lists it (one paged call with a tag filter, no SDK: the
 * plain client the Compute SDK already loaded), and the resource groups
 * tagged with it. Inventory shows these; destroy proves them gone.
 */
import { LABEL, type Resource } from '../../src/model.js'
import type { AzureClients } from './clients.js'
import { azureTagCodec } from './label-codec.js'

export interface TaggedResource { id: string; name: string; type: string; location?: string; tags?: Record<string, string> }

const LIST_API = '2021-04-01'

/** The Resource Manager $filter selecting a project's resources by tag. */
export function projectFilter(project: string): string {
  return `tagName eq '${azureTagCodec.keys.project}' and tagValue eq '${project.replaceAll("'", "''")}'`
}

async function listAll(clients: AzureClients, path: string, filter: string): Promise<TaggedResource[]> {
  const rest = await clients.rest()
  const found: TaggedResource[] = []
  let answer = await rest.path(path).get({ queryParameters: { 'api-version': LIST_API, $filter: filter } })
  for (let pages = 0; pages < 100; pages++) {
    const body = answer.body as { value?: TaggedResource[]; nextLink?: string }
    found.push(...(body.value ?? []))
    if (!body.nextLink) break
    answer = await rest.pathUnchecked(body.nextLink).get()
  }
  return found
}

export function listTaggedResources(clients: AzureClients, project: string): Promise<TaggedResource[]> {
  return listAll(clients, `/subscriptions/${clients.subscriptionId}/resources`, projectFilter(project))
}

export function listTaggedGroups(clients: AzureClients, project: string): Promise<TaggedResource[]> {
  return listAll(clients, `/subscriptions/${clients.subscriptionId}/resourcegroups`, projectFilter(project))
}

const KINDS: Record<string, Resource['kind']> = {
  'microsoft.network/loadbalancers': 'balancer',
  'microsoft.network/publicipaddresses': 'network',
  'microsoft.network/virtualnetworks': 'network',
  'microsoft.network/networksecuritygroups': 'security-group',
  'microsoft.keyvault/vaults': 'secret',
  'microsoft.insights/autoscalesettings': 'template',
  'microsoft.compute/virtualmachinescalesets': 'group',
  'microsoft.resources/resourcegroups': 'group',
}

/** A tagged resource as a core Resource (scale sets and VMs are read in detail elsewhere). */
export function taggedResource(resource: TaggedResource, target: string, location: string): Resource {
  const tags = resource.tags ?? {}
  return {
    id: resource.id, kind: KINDS[resource.type.toLowerCase()] ?? 'group', target, service: tags[LABEL.service], location,
    state: 'running', labels: tags, details: { name: resource.name, type: resource.type },
  }
}
