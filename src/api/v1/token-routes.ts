// `/api/v1/tokens`: named API tokens, optionally scoped to one member (a subnet router's token).
// The secret is in the create answer only; the store keeps its SHA-256.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiTokens } from '../../service/api-tokens.ts';

const doc = (summary: string) => ({ schema: { tags: ['tokens'], summary } });

export function registerTokenRoutes(app: FastifyInstance, tokens: ApiTokens): void {
  app.post(
    '/api/v1/tokens',
    doc('Create a token: {name, network?, member?}; with network and member it may only act as that member'),
    async (request, reply) => reply.code(201).send(await tokens.create(request.body)),
  );
  app.get('/api/v1/tokens', doc('List tokens (never their secrets)'), async () => ({
    tokens: await tokens.list(),
  }));
  app.delete(
    '/api/v1/tokens/:id',
    doc('Revoke a token'),
    (request: FastifyRequest<{ Params: { id: string } }>) => tokens.remove(request.params.id),
  );
}
