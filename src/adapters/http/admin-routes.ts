import { timingSafeEqual, createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ConversationStore } from '../../core/ports.js';
import type { Logger } from '../log/create-logger.js';

const FilterSchema = z.object({
  channel: z.enum(['sms', 'slack']).optional(),
  participant: z.string().min(1).optional(),
  status: z.enum(['bot', 'waiting', 'human', 'closed', 'opted_out']).optional(),
});

const IdSchema = z.coerce.number().int().positive();

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function requireToken(token: string, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.header('Authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (given !== '' && sameSecret(given, token)) return next();
    logger.warn({ path: req.path }, 'rejected admin request: send Authorization: Bearer <ADMIN_TOKEN>');
    res.status(401).json({ error: 'unauthorized', message: 'send Authorization: Bearer <ADMIN_TOKEN>' });
  };
}

/** PJ's read API over conversations; his tools build on it. */
export function createAdminRouter(options: { token: string; store: ConversationStore; logger: Logger }): Router {
  const { token, store, logger } = options;
  const router = Router();
  router.use(requireToken(token, logger));
  router.get('/conversations', async (req, res) => {
    const filter = FilterSchema.safeParse(req.query);
    if (!filter.success) {
      res.status(400).json({ error: 'bad_query', message: z.prettifyError(filter.error) });
      return;
    }
    res.json({ conversations: await store.list(filter.data) });
  });
  router.get('/conversations/:id', async (req, res) => {
    const id = IdSchema.safeParse(req.params.id);
    const conversation = id.success ? await store.get(id.data) : null;
    if (conversation === null) {
      res.status(404).json({ error: 'not_found', message: `no conversation with id ${req.params.id}` });
      return;
    }
    res.json(conversation);
  });
  return router;
}
