/**
 * Where a balancer shared by a project's services sends a request: each
 * service answers under a path prefix (default /<service>, the shape the
 * scaffold's nginx uses) and optionally on its own host name. Requests keep
 * their full path, so a service sees the same URLs behind any balancer.
 * Pure and provider-neutral: providers turn a Route into their own rules.
 */
import type { Route as RouteField } from '../manifest/schema.js'

export interface Route {
  /** the host name, when the service answers on its own */
  host?: string
  /** the path prefix; '/' is every path */
  path: string
}

/** The route of a service: its manifest `route`, else the path /<service>. */
export function serviceRoute(name: string, route: RouteField | undefined): Route {
  if (!route) return { path: `/${name}` }
  return route.host === undefined ? { path: route.path ?? '/' } : { host: route.host, path: route.path ?? '/' }
}

/** Two services with the same key would receive the same requests. */
export function routeKey(route: Route): string {
  return `${route.host ?? '*'}${route.path}`
}

/** For messages: "path /orders", "host orders.example.com", "host api.example.com, path /orders". */
export function describeRoute(route: Route): string {
  if (route.host === undefined) return `path ${route.path}`
  return route.path === '/' ? `host ${route.host}` : `host ${route.host}, path ${route.path}`
}

/**
 * Where the service answers: the host when it has one (its DNS points at the
 * balancer), else the balancer's address, followed by the path prefix.
 */
export function routeUrl(balancerAddress: string, route: Route): string {
  const path = route.path === '/' ? '' : route.path
  return `http://${route.host ?? balancerAddress}${path}`
}

/**
 * The order a balancer must try routes in: most specific first, so /api/orders
 * wins over /api and a host rule over a path-only one. Ties break by name, so
 * the order never depends on the manifest's key order.
 */
export function routeOrder<T extends { name: string; route: Route }>(entries: T[]): T[] {
  const depth = (path: string) => (path === '/' ? 0 : path.split('/').length - 1)
  return [...entries].sort((a, b) =>
    Number(b.route.host !== undefined) - Number(a.route.host !== undefined) ||
    Number(b.route.host?.startsWith('*.') === false) - Number(a.route.host?.startsWith('*.') === false) ||
    depth(b.route.path) - depth(a.route.path) ||
    b.route.path.length - a.route.path.length ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
