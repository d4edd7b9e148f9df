import { Router, type Response } from 'express';
import type { Logger } from '../../core/logger.js';
import type { Retention } from '../../core/ports.js';
import type { EraseConversation } from '../../core/retention.js';
import { parseConversationId } from './admin-id.js';

interface AdminErasureOptions {
  store: Pick<Retention, 'exportConversation'>;
  erase: EraseConversation;
  logger: Logger;
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
    const id = parseConversationId(req.params.id);
    const exported = id === null ? null : await store.exportConversation(id);
    if (exported === null) return notFound(res, req.params.id, logger, 'export');
    logger.info(
      { conversationId: id, transcript: exported.transcript.length, outbox: exported.outbox.length },
      `exported conversation ${id} for the client`,
    );
    res.set('Cache-Control', 'no-store').json(exported);
  });

  router.delete('/conversations/:id', async (req, res) => {
    const id = parseConversationId(req.params.id);
    const erased = id === null ? null : await erase(id);
    if (erased === null) return notFound(res, req.params.id, logger, 'erasure');
    const { removed, desk, optOutKept } = erased;
    res.set('Cache-Control', 'no-store').json({ erased: id, removed, desk, optOutKept });
  });

  return router;
}
