/** An attachment a client sent with a message (an MMS picture), as the provider hands it over. */
export interface InboundMedia {
  /** Where the provider keeps it (Twilio: https://api.twilio.com/.../Messages/MM.../Media/ME...). */
  url: string;
  /** As the provider reports it, e.g. image/jpeg. */
  contentType: string;
}

/**
 * What the bot has of an attachment. linked: only its link (the default); stored: the file is
 * in the database (TWILIO_FETCH_MEDIA), so every instance can show it; tooLarge and failed: the
 * download was given up, the link stays.
 */
export type MediaState = 'linked' | 'stored' | 'tooLarge' | 'failed';

/** An attachment as it is kept with its transcript line. */
export interface MediaItem extends InboundMedia {
  /** The store's id for it, to fetch a stored file. */
  id: number;
  state: MediaState;
  /** The stored file's size in bytes; null until stored. */
  size: number | null;
}

/** A downloaded attachment. */
export interface MediaFile {
  contentType: string;
  bytes: Uint8Array;
}

/** An attachment waiting to be downloaded, as the store hands it to the fetcher. */
export interface MediaDownload extends InboundMedia {
  id: number;
  conversationId: number;
  /** Downloads tried so far, this one included. */
  attempts: number;
}

/** How one download went. */
export type DownloadResult =
  | ({ ok: true } & MediaFile)
  /** tooLarge: over the size cap; retryable: worth trying again later (a 5xx, a timeout). */
  | { ok: false; tooLarge: boolean; retryable: boolean; reason: string };

/** Pictures and other files in a list of attachments, for "+1 picture" labels. */
export function countMedia(media: readonly InboundMedia[]): { pictures: number; files: number } {
  const pictures = media.filter((m) => isPicture(m.contentType)).length;
  return { pictures, files: media.length - pictures };
}

/** How to name what a client attached, in the line that acknowledges it. */
export type MediaKind = 'picture' | 'pictures' | 'file';

/** One picture, several, or anything else (a vCard, a PDF, a video, or a mix). */
export function mediaKind(media: readonly InboundMedia[]): MediaKind {
  const { pictures, files } = countMedia(media);
  if (files > 0 || pictures === 0) return 'file';
  return pictures === 1 ? 'picture' : 'pictures';
}

/** image/* is a picture; anything else (a vCard, a PDF, a video) is a file. */
function isPicture(contentType: string): boolean {
  return /^image\//i.test(contentType.trim());
}
