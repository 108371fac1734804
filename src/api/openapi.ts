// OpenAPI document for every route, browsable at /api/docs (JSON at /api/docs/json).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Routeplane',
        description:
          'ZeroTier network controller. `/controller/...` mirrors the ZeroTier One 1.14 controller API; ' +
          'Routeplane features live under `/api/v1`. Every call needs the token from authtoken.secret.',
        version,
      },
      components: {
        securitySchemes: {
          zt1Auth: { type: 'apiKey', in: 'header', name: 'X-ZT1-Auth' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
