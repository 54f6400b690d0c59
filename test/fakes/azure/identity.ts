/**
 * The Microsoft identity platform as MSAL (inside @azure/identity) reads it:
 * the tenant's OpenID configuration, instance discovery, and the v2.0 token
 * endpoint for the client-credentials grant. Tokens are JWT-shaped (header,
 * claims with oid/tid/appid, random signature) and remembered, so ARM calls
 * with anything else get 401. Any client secret is accepted unless a
 * refuseCredentials fault is set, as moto accepts any AWS key.
 */
import { createHash, randomBytes } from 'node:crypto'
import { armError, type FakeRequest, type FakeResponse } from './http.ts'
import type { FakeState, IssuedToken } from './state.ts'

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A stable object id per client id, as a directory would give. */
export function objectIdFor(clientId: string): string {
  const hex = createHash('sha256').update(`object:${clientId}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export function issueToken(state: FakeState, request: Pick<FakeRequest, 'origin'>, clientId: string, tenantId: string, scope: string): { token: string; expiresIn: number } {
  const now = Math.floor(Date.now() / 1000)
  const expiresIn = state.options.tokenLifetimeSeconds
  const objectId = objectIdFor(clientId)
  const audience = scope.replace(/\/?\.default$/, '')
  const token = [
    encode({ typ: 'JWT', alg: 'RS256', kid: 'strato-fake' }),
    encode({ aud: audience, iss: `${request.origin}/${tenantId}/v2.0`, iat: now, nbf: now, exp: now + expiresIn, appid: clientId, oid: objectId, sub: objectId, tid: tenantId, idtyp: 'app' }),
    randomBytes(32).toString('base64url'),
  ].join('.')
  const info: IssuedToken = { clientId, objectId, tenantId, expiresAt: (now + expiresIn) * 1000 }
  state.tokens.set(token, info)
  return { token, expiresIn }
}

/** The caller of an ARM request, or the 401 ARM answers without a valid token. */
export function authenticate(state: FakeState, request: FakeRequest): IssuedToken | FakeResponse {
  const header = String(request.headers.authorization ?? '')
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]
  const info = token ? state.tokens.get(token) : undefined
  const challenge = { 'WWW-Authenticate': `Bearer authorization_uri="${request.origin}/common", error="invalid_token", error_description="The access token is missing or invalid."` }
  if (!token) return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", challenge)
  if (!info) return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', challenge)
  if (info.expiresAt < Date.now()) return armError(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.', challenge)
  return info
}

function openIdConfiguration(origin: string, tenant: string) {
  const base = `${origin}/${tenant}`
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'strato.fake',
    cloud_graph_host_name: 'graph.strato.fake',
    msgraph_host: 'graph.strato.fake',
    rbac_url: origin,
  }
}

/** Routes under the authority host; undefined when the path is not one of them. */
export function identityRoute(state: FakeState, request: FakeRequest): FakeResponse | undefined {
  const host = new URL(request.origin).host
  if (request.method === 'GET' && /^\/common\/discovery\/instance$/i.test(request.path)) {
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${request.origin}/common/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    }
  }
  // v2.0 tenants (MSAL.js, MSAL Python), and ADFS-style authorities (/adfs/.well-known/...), which skip instance discovery
  const config = /^\/([^/]+)(?:\/v2\.0)?\/\.well-known\/openid-configuration$/i.exec(request.path)
  if (request.method === 'GET' && config) return { status: 200, body: openIdConfiguration(request.origin, config[1]) }
  const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/i.exec(request.path)
  if (request.method === 'GET' && keys) return { status: 200, body: { keys: [] } }

  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/i.exec(request.path)
  if (request.method === 'POST' && token) {
    const form = new URLSearchParams(request.text)
    const tenant = token[1]
    const clientId = form.get('client_id') ?? ''
    const grant = form.get('grant_type')
    if (grant !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `AADSTS70003: The fake identity endpoint supports client_credentials only, not ${grant}.`, error_codes: [70003] } }
    }
    const secret = form.get('client_secret') ?? form.get('client_assertion') ?? ''
    if (!clientId || !secret || state.takeFault('refuseCredentials')) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
          error_codes: [7000215],
          timestamp: new Date().toISOString(),
          trace_id: crypto.randomUUID(),
          correlation_id: crypto.randomUUID(),
        },
      }
    }
    const issued = issueToken(state, request, clientId, tenant, form.get('scope') ?? 'https://management.azure.com/.default')
    return { status: 200, body: { token_type: 'Bearer', expires_in: issued.expiresIn, ext_expires_in: issued.expiresIn, access_token: issued.token } }
  }
  return undefined
}
