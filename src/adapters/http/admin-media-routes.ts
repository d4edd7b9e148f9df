import { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { MediaStore } from '../../core/ports.js';

/** Pictures a browser may show from the bot's own origin; anything else (SVG, HTML, PDF...) is only downloaded. */
const SHOWN = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const IdSchema = z.coerce.number().int().positive();

/**
 * GET /conversations/:id/media/:mediaId: a file a client attached, once downloaded into the
 * database (TWILIO_FETCH_MEDIA). Mounted behind the admin token; the console fetches it with the
 * token and shows pictures. A client chose the bytes, so only plain pictures are served as what
 * they are; everything else is an attachment nothing runs.
 */
export function createAdminMediaRouter(options: { store: Pick<MediaStore, 'getMediaFile'>; logger: Logger }): Router {
  const { store, logger } = options;
  const router = Router();
  router.get('/conversations/:id/media/:mediaId', async (req, res) => {
    const id = IdSchema.safeParse(req.params.id);
    const mediaId = IdSchema.safeParse(req.params.mediaId);
    const file = id.success && mediaId.success ? await store.getMediaFile(id.data, mediaId.data) : null;
    if (file === null) {
      logger.warn({ id: req.params.id, mediaId: req.params.mediaId }, 'admin request for an attachment that is not stored: only downloaded ones are (TWILIO_FETCH_MEDIA)');
      res.status(404).json({ error: 'not_found', message: `no stored attachment ${req.params.mediaId} in conversation ${req.params.id}` });
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
