/**
 * Renders the shop starter repo: a pure function from the chosen options and
 * the template files to the files to write (path -> content). The command
 * does the writing.
 */
import type { DescriptorLookup } from '../capabilities.js'
import { manifestJsonSchema } from '../manifest/json-schema.js'
import { PROVIDER_KINDS } from '../manifest/schema.js'
import { renderShopCompose } from './compose.js'
import { renderNginxConfig } from './nginx.js'
import type { ShopOptions, ShopService } from './options.js'
import { renderShopManifest } from './shop-manifest.js'
import { HASH_HEADER, HOSTS, IMAGES, LB_PORT, LOCAL_BASE_IMAGES, SERVICE_PORT, SERVICE_WEIGHTS, databaseSpec, servicePath } from './stack.js'
import { renderTemplate, renderTemplatePath, type TemplateFlags, type TemplateValues } from './template.js'
import type { TemplateTree } from './template-tree.js'

export type FileMap = Record<string, string>

/** What the starter repo needs to know about the strato that writes it: its CI installs that version. */
export interface ScaffoldingTool {
  version: string
}

/** `descriptors` give each chosen target kind's starter target (its name and settings in strato.yaml). */
export function renderShop(options: ShopOptions, templates: TemplateTree, descriptors: DescriptorLookup, tool: ScaffoldingTool): FileMap {
  const files: FileMap = {}
  const flags = shopFlags(options, descriptors)
  const values = { ...shopValues(options, descriptors), stratoVersion: tool.version }

  addTemplates(files, templates, 'shop/repo/', '', values, flags)
  for (const service of options.services) {
    const serviceFlags = { ...flags, usesCache: options.cache && service === 'users' }
    const serviceValues = { ...values, service, cacheNote: serviceFlags.usesCache ? ', with a Redis cache in front of single-user lookups' : '' }
    addTemplates(files, templates, `shop/${options.runtime}/common/`, `services/${service}/`, serviceValues, serviceFlags)
    addTemplates(files, templates, `shop/${options.runtime}/${service}/`, `services/${service}/`, serviceValues, serviceFlags)
  }

  files['strato.yaml'] = renderShopManifest(options, descriptors)
  files['compose.yaml'] = renderShopCompose(options)
  files['lb/nginx.conf'] = renderNginxConfig({
    algorithm: options.lb,
    hashHeader: HASH_HEADER,
    listenPort: LB_PORT,
    services: options.services.map((service) => ({
      name: service,
      path: servicePath(service),
      backends: [{ address: `${service}:${SERVICE_PORT}`, weight: SERVICE_WEIGHTS[service] }],
    })),
  })
  files['.strato/schema.json'] = `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)))
}

function shopFlags(options: ShopOptions, descriptors: DescriptorLookup): TemplateFlags {
  const flags: TemplateFlags = {
    node: options.runtime === 'node',
    python: options.runtime === 'python',
    postgres: options.db === 'postgres',
    mysql: options.db === 'mysql',
    cache: options.cache,
    replica: options.readReplica,
    usesCache: false,
    consistentHash: options.lb === 'consistent-hash',
    // one flag per provider kind, for the templates' per-target sections
    ...Object.fromEntries(PROVIDER_KINDS.map((kind) => [kind, options.targets.includes(kind)])),
    ci: options.ci !== 'none',
    github: options.ci === 'github',
    gitlab: options.ci === 'gitlab',
    // the public clouds (priced from their catalogs): CI logs in to them with OIDC
    cloud: options.targets.some((kind) => descriptors(kind).pricing.model === 'catalog'),
  }
  for (const service of ['users', 'orders', 'payments'] satisfies ShopService[]) flags[service] = options.services.includes(service)
  return flags
}

function shopValues(options: ShopOptions, descriptors: DescriptorLookup): TemplateValues {
  const db = databaseSpec(options)
  return {
    project: options.name,
    runtime: options.runtime,
    db: options.db,
    dbImage: db.image,
    dbUser: db.user,
    dbName: db.database,
    dbPort: db.port,
    dbPasswordVariable: db.passwordVariable,
    lb: options.lb,
    port: SERVICE_PORT,
    lbPort: LB_PORT,
    nodeImage: IMAGES.node,
    pythonImage: IMAGES.python,
    localBaseImage: LOCAL_BASE_IMAGES[options.runtime],
    services: options.services.join(', '),
    servicesJson: JSON.stringify(options.services),
    targets: options.targets.join(', '),
    targetNames: options.targets.map((kind) => descriptors(kind).starter(options.name).name).join(' '),
    awsRegion: awsRegion(options.name, descriptors),
    hashHeader: HASH_HEADER,
    replicaHost: HOSTS.replica,
    usersCacheNote: options.cache ? ', with single-user lookups cached in Redis' : '',
    replicaNote: options.readReplica ? ', with a streaming read replica that serves the reads' : '',
    hashNote: options.lb === 'consistent-hash' ? `, hashing on the ${HASH_HEADER} header` : '',
    rootSecretNote: db.rootPassword ? ` (and its root password as \`${db.rootPassword.variable}\`)` : '',
    replicationSecretNote: options.readReplica ? ', and both database roles read REPLICATION_PASSWORD' : '',
  }
}

/** The region the starter's AWS target names, for the CI's AWS login step. */
function awsRegion(project: string, descriptors: DescriptorLookup): string {
  const { target } = descriptors('aws').starter(project)
  return target.provider === 'aws' ? target.region : ''
}

function addTemplates(files: FileMap, templates: TemplateTree, from: string, to: string, values: TemplateValues, flags: TemplateFlags): void {
  for (const [templatePath, text] of Object.entries(templates)) {
    if (!templatePath.startsWith(from)) continue
    const output = renderTemplatePath(templatePath.slice(from.length), flags)
    if (output === undefined) continue
    files[to + output] = renderTemplate(text, values, flags, templatePath)
  }
}
