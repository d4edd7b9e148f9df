import { Router, type Response } from 'express';
import type { Logger } from '../../core/logger.js';
import type { Retention } from '../../core/ports.js';
import type { EraseConversation } from '../../core/retention.js';

interface AdminErasureOptions {
  store: Pick<Retention, 'exportConversation'>;
  erase: EraseConversation;
  logger: Logger;
}

/** A conversation id as written by the API: a plain positive decimal integer ("01", "1e0", "0x1" are not). */
function parseId(raw: string): number | null {
  if (!/^[1-9]\d{0,14}$/.test(raw)) return null;
  return Number(raw);
}

function notFound(res: Response, raw: string, logger: Logger, what: string): void {
  logger.warn({ id: raw }, `${what} refused: no such conversation; check the id in GET /admin/api/conversations`);
  res.status(404).json({ error: 'not_found', message: `no conversation with id ${raw}` });
}

/**
 * A client's rights over what the bot keeps about them: a copy of it (export) and its erasure.
 * Mounted inside the admin router, behind the same token. Both are logged by conversation id,
 * never by the sender's number.
 */
export function createAdminErasureRouter(options: AdminErasureOptions): Router {
  const { store, erase, logger } = options;
  const router = Router();

  router.get('/conversations/:id/export', async (req, res) => {
    const id = parseId(req.params.id);
    const exported = id === null ? null : await store.exportConversation(id);
    if (exported === null) return notFound(res, req.params.id, logger, 'export');
    logger.info({ conversationId: id, transcript: exported.transcript.length, outbox: exported.outbox.length }, `exported conversation ${id} for the client`);
    res.set('Cache-Control', 'no-store').json(exported);
  });

  router.delete('/conversations/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const erased = id === null ? null : await erase(id);
    if (erased === null) return notFound(res, req.params.id, logger, 'erasure');
    const { removed, desk, optOutKept } = erased;
    res.set('Cache-Control', 'no-store').json({ erased: id, removed, desk, optOutKept });
  });

  return router;
}
