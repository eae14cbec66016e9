import type { FastifyInstance } from 'fastify';
import type { CredentialCheck } from '../auth/credentials';
import type { RegistryRole } from '../auth/users-file';

/** What a route does to the registry's state: `read` only looks, `write` changes it. */
export type RouteAccess = 'read' | 'write';

/**
 * Every route and what it needs, in one place. Reads are open to every authenticated user,
 * writes to read-write users only. The POSTs that only look (a lookup, a compatibility test) are
 * reads, as in Confluent's basic authentication roles. A route missing here fails the server's
 * start (see installAccessControl): a new endpoint cannot be reachable by accident.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /': 'read',
  'GET /config': 'read',
  'PUT /config': 'write',
  'GET /config/:subject': 'read',
  'PUT /config/:subject': 'write',
  'DELETE /config/:subject': 'write',
  'GET /mode': 'read',
  'GET /mode/:subject': 'read',
  'GET /schemas/ids/:id': 'read',
  'GET /schemas/ids/:id/schema': 'read',
  'GET /schemas/ids/:id/versions': 'read',
  'GET /schemas/ids/:id/subjects': 'read',
  'GET /schemas/types': 'read',
  'GET /subjects': 'read',
  'GET /subjects/:subject/versions': 'read',
  'POST /subjects/:subject/versions': 'write',
  'POST /subjects/:subject': 'read',
  'GET /subjects/:subject/versions/:version': 'read',
  'GET /subjects/:subject/versions/:version/schema': 'read',
  'GET /subjects/:subject/versions/:version/referencedby': 'read',
  'DELETE /subjects/:subject': 'write',
  'DELETE /subjects/:subject/versions/:version': 'write',
  'POST /compatibility/subjects/:subject/versions/:version': 'read',
  'POST /compatibility/subjects/:subject/versions': 'read',
};

const MAY: Record<RegistryRole, readonly RouteAccess[]> = {
  'read-only': ['read'],
  'read-write': ['read', 'write'],
};

export const REALM = 'troupe-registry';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from ROUTE_ACCESS for every route (installAccessControl). */
    access?: RouteAccess;
  }
}

/**
 * HTTP basic authentication in front of every request, before its body is read: no or wrong
 * credentials → 401 with `WWW-Authenticate: Basic realm="troupe-registry"` and error_code 40101;
 * a route the user's role may not use → 403, error_code 40301. Unknown paths need credentials
 * too (they answer 404 only to a user). Call before the routes are added.
 */
export function installAccessControl(app: FastifyInstance, credentials: CredentialCheck): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Fastify adds a HEAD route for each GET: it reads as the GET does.
      const key = `${method === 'HEAD' ? 'GET' : method} ${route.url}`;
      const access = ROUTE_ACCESS[key];
      if (access === undefined)
        throw new Error(`registry route ${key} has no entry in ROUTE_ACCESS (http/access.ts)`);
      route.config = { ...route.config, access };
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    const user = credentials.verify(request.headers.authorization);
    if (!user)
      return reply
        .code(401)
        .header('www-authenticate', `Basic realm="${REALM}"`)
        .send({ error_code: 40101, message: 'Unauthorized: valid credentials are required' });
    const access = request.routeOptions.config.access;
    if (access !== undefined && !MAY[user.role].includes(access))
      return reply.code(403).send({
        error_code: 40301,
        message: `Forbidden: user ${user.username} (${user.role}) may not ${request.method} ${request.routeOptions.url}`,
      });
    return undefined;
  });
}
