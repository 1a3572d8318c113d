import { ChunkingError } from './chunking-error.js';
import { htmlToReadableText } from './html-to-readable-text.js';

export const supportedContentTypes = ['text/plain', 'text/markdown', 'text/html'] as const;
export type SupportedContentType = (typeof supportedContentTypes)[number];

export interface NormalizeContentInput {
  readonly content: string;
  /** A media type, parameters allowed (`text/html; charset=utf-8`). */
  readonly contentType: string;
}

// C0 controls other than tab and newline carry no text. NUL in particular is rejected by
// Postgres `text` columns and is the separator of `contentHash`, so it must never reach either.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000b-\u001f\u007f\ufeff]/g;

function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(controlChars, '')
    .normalize('NFC')
    .replace(/\u00a0/g, ' ')
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{4,}/g, '\n\n\n')
    .replace(/^\n+/, '')
    .trimEnd();
}

function mediaType(contentType: string): SupportedContentType {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if ((supportedContentTypes as readonly string[]).includes(type)) return type as SupportedContentType;
  throw new ChunkingError('UNSUPPORTED_CONTENT_TYPE', `unsupported content type "${contentType}"`);
}

/**
 * Turns a document's content into the text that is hashed, chunked and shown: Unix newlines, NFC,
 * plain spaces for no-break ones, no trailing spaces, at most two blank lines in a row. Markdown keeps its syntax (headings, lists
 * and fences guide the chunker); HTML becomes readable text with Markdown-style headings. Call it
 * before `contentHash` so that cosmetic re-sends of a document are recognised as unchanged.
 */
export function normalizeContent({ content, contentType }: NormalizeContentInput): string {
  const type = mediaType(contentType);
  switch (type) {
    case 'text/plain':
    case 'text/markdown':
      return tidyText(content);
    case 'text/html':
      return tidyText(htmlToReadableText(content));
  }
}
