/**
 * What the instances may read, and as whom. A service with secrets, or an
 * image in Artifact Registry, runs as the project's own service account
 * (strato-<project>), never the default compute account: that account is
 * granted secretAccessor on each of the project's secrets and reader on the
 * image's repository, nothing on the project itself. A secret that does not
 * exist in Secret Manager is created from the environment variable of the
 * same name at deploy time, labelled so destroy removes only what strato
 * created. Values are never logged.
 */
import { usageError } from '../../src/errors.js'
import { LABEL } from '../../src/model.js'
import type { GcpApi } from './api.js'
import { isGcpError } from './errors.js'
import { labelsOf, readStateDescription, stateDescription } from './resource-state.js'
import { secretId, serviceAccountEmail, serviceAccountId } from './naming.js'

export const SECRET_ACCESSOR = 'roles/secretmanager.secretAccessor'
export const REGISTRY_READER = 'roles/artifactregistry.reader'

interface Policy { bindings?: { role: string; members: string[] }[]; etag?: string; version?: number }

/** The policy with `member` added to `role`, or undefined when it is there already; pure. */
export function withBinding(policy: Policy, role: string, member: string): Policy | undefined {
  const bindings = policy.bindings ?? []
  const binding = bindings.find((entry) => entry.role === role)
  if (binding?.members.includes(member)) return undefined
  return {
    ...policy,
    bindings: binding
      ? bindings.map((entry) => (entry === binding ? { ...entry, members: [...entry.members, member] } : entry))
      : [...bindings, { role, members: [member] }],
  }
}

/** The repository resource of an Artifact Registry image (REGION-docker.pkg.dev/PROJECT/REPO/...), if it is one. */
export function registryRepository(image: string): string | undefined {
  const match = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\//.exec(image)
  return match ? `projects/${match[2]}/locations/${match[1]}/repositories/${match[3]}` : undefined
}

/** Adds `member` to `role` on one resource's IAM policy (read, then written back with its etag). */
async function grant(api: GcpApi, resource: string, role: string, member: string, kind: 'secrets' | 'repositories'): Promise<void> {
  const current = await api.rest<Policy>(`${kind}.getIamPolicy`, { path: `/v1/${resource}:getIamPolicy` })
  const updated = withBinding(current, role, member)
  if (updated) await api.rest(`${kind}.setIamPolicy`, { method: 'POST', path: `/v1/${resource}:setIamPolicy`, data: { policy: updated } })
}

/** The project's service account, created when missing; returns its e-mail. */
export async function ensureServiceAccount(api: GcpApi, project: string): Promise<string> {
  const email = serviceAccountEmail(project, api.project)
  const path = `/v1/projects/${api.project}/serviceAccounts`
  try {
    await api.rest('serviceAccounts.get', { path: `${path}/${email}` })
  } catch (error) {
    if (!isGcpError(error, 'notFound')) throw error
    await api.rest('serviceAccounts.create', {
      method: 'POST', path,
      data: {
        accountId: serviceAccountId(project),
        serviceAccount: { displayName: `strato ${project} instances`, description: stateDescription({ [LABEL.project]: project, [LABEL.role]: 'service-account' }) },
      },
    })
  }
  return email
}

/** Deletes the project's service account if strato made it (its description says so). */
export async function deleteServiceAccount(api: GcpApi, project: string): Promise<boolean> {
  const path = `/v1/projects/${api.project}/serviceAccounts/${serviceAccountEmail(project, api.project)}`
  try {
    const account = await api.rest<{ description?: string }>('serviceAccounts.get', { path })
    if (readStateDescription(account.description)?.[LABEL.project] !== project) return false
    await api.rest('serviceAccounts.delete', { method: 'DELETE', path })
    return true
  } catch (error) {
    if (isGcpError(error, 'notFound')) return false
    throw error
  }
}

/** Creates the secrets that do not exist yet from the environment, and lets the instances' account read each one. */
export async function ensureSecrets(api: GcpApi, project: string, service: string, names: string[], env: NodeJS.ProcessEnv, accountEmail: string): Promise<string[]> {
  const created: string[] = []
  const base = `/v1/projects/${api.project}/secrets`
  for (const name of names) {
    const id = secretId(project, name)
    try {
      await api.rest('secrets.get', { path: `${base}/${id}` })
    } catch (error) {
      if (!isGcpError(error, 'notFound')) throw error
      const value = env[name]
      if (value === undefined || value === '') {
        throw usageError(`Secret ${name} of service ${service} has no value: Secret Manager has no secret ${id} in project ${api.project} and ${name} is not set.`,
          `Create it (gcloud secrets create ${id} --data-file=-) or export ${name} when you run strato deploy.`)
      }
      await api.rest('secrets.create', {
        method: 'POST', path: base, params: { secretId: id },
        data: { replication: { automatic: {} }, labels: labelsOf({ [LABEL.project]: project, [LABEL.role]: 'secret' }) },
      })
      await api.rest('secrets.addVersion', { method: 'POST', path: `${base}/${id}:addVersion`, data: { payload: { data: Buffer.from(value).toString('base64') } } })
      created.push(id)
    }
    await grant(api, `projects/${api.project}/secrets/${id}`, SECRET_ACCESSOR, `serviceAccount:${accountEmail}`, 'secrets')
  }
  return created
}

/** Lets the instances' account pull the image when it lives in Artifact Registry. */
export async function grantRegistryRead(api: GcpApi, image: string, accountEmail: string): Promise<void> {
  const repository = registryRepository(image)
  if (repository) await grant(api, repository, REGISTRY_READER, `serviceAccount:${accountEmail}`, 'repositories')
}

/** Removes the secrets strato created for the project (labelled strato-role: secret); the user's own stay. */
export async function deleteCreatedSecrets(api: GcpApi, project: string): Promise<number> {
  const base = `/v1/projects/${api.project}/secrets`
  let removed = 0
  let pageToken: string | undefined
  do {
    const page = await api.rest<{ secrets?: { name: string }[]; nextPageToken?: string }>('secrets.list', {
      path: base, params: { filter: `labels.strato-project=${project} AND labels.strato-role=secret`, pageToken },
    })
    for (const secret of page.secrets ?? []) {
      try {
        await api.rest('secrets.delete', { method: 'DELETE', path: `${base}/${secret.name.split('/').pop()}` })
        removed++
      } catch (error) {
        if (!isGcpError(error, 'notFound')) throw error
      }
    }
    pageToken = page.nextPageToken
  } while (pageToken)
  return removed
}
