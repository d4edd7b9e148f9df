import { Router } from 'express';
import { z } from 'zod';
import type { ConversationRecord } from '../../core/conversation.js';
import type { Logger } from '../../core/logger.js';
import type { ConversationStore, MediaStore } from '../../core/ports.js';
import type { ClientTimeView } from '../../core/render-client-time.js';

/** Pictures a browser may show from the bot's own origin; anything else (SVG, HTML, PDF...) is only downloaded. */
const SHOWN = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const IdSchema = z.coerce.number().int().positive();

interface AdminClientRouterOptions {
  store: Pick<ConversationStore, 'get'>;
  /** The files downloaded into the database (TWILIO_FETCH_MEDIA); absent: the store keeps none. */
  media?: Pick<MediaStore, 'getMediaFile'>;
  /** The client's local time now, as PJ reads it; null on a channel with no local time. */
  clientTime: (conversation: ConversationRecord) => ClientTimeView | null;
  logger: Logger;
}

/**
 * What PJ's console shows about a client beyond the transcript, mounted behind the admin token:
 *
 * - GET /conversations/:id/client-time: their local time, and whether it is night there (the
 *   console shows it beside the reply box; PJ's own replies go at once whatever it says).
 * - GET /conversations/:id/media/:mediaId: a file they attached, once downloaded into the
 *   database. The console fetches it with the token and shows pictures. A client chose the bytes,
 *   so only plain pictures are served as what they are; everything else is an attachment nothing runs.
 */
export function createAdminClientRouter(options: AdminClientRouterOptions): Router {
  const { store, media, clientTime, logger } = options;
  const router = Router();
  router.get('/conversations/:id/client-time', async (req, res) => {
    const id = IdSchema.safeParse(req.params.id);
    const conversation = id.success ? await store.get(id.data) : null;
    if (conversation === null) {
      res.status(404).json({ error: 'not_found', message: `no conversation with id ${req.params.id}` });
      return;
    }
    res.set('Cache-Control', 'no-store').json({ clientTime: clientTime(conversation) });
  });
  router.get('/conversations/:id/media/:mediaId', async (req, res) => {
    const id = IdSchema.safeParse(req.params.id);
    const mediaId = IdSchema.safeParse(req.params.mediaId);
    const file = id.success && mediaId.success && media ? await media.getMediaFile(id.data, mediaId.data) : null;
    if (file === null) {
      logger.warn(
        { id: req.params.id, mediaId: req.params.mediaId },
        'admin request for an attachment that is not stored: only downloaded ones are (TWILIO_FETCH_MEDIA)',
      );
      res.status(404).json({
        error: 'not_found',
        message: `no stored attachment ${req.params.mediaId} in conversation ${req.params.id}`,
      });
      return;
    }
    const type = file.contentType.toLowerCase();
    const shown = SHOWN.has(type);
    res.set({
      'Content-Type': shown ? type : 'application/octet-stream',
      'Content-Disposition': shown ? 'inline' : `attachment; filename="attachment-${mediaId.data}"`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
    res.send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  });
  return router;
}
