import { describe, expect, it } from 'vitest';
import { ChunkingError } from './chunking-error.js';
import { normalizeContent } from './normalize-content.js';

describe('normalizeContent', () => {
  it('tidies plain text: newlines, trailing spaces, blank-line runs, NFC, control characters', () => {
    const content = '\r\n\r\nCafe\u0301 menu  \r\nline two\t\r\n\r\n\r\n\r\n\r\nnext\u0000 part\u00a0here\rlast   \n\n';
    expect(normalizeContent({ content, contentType: 'text/plain' })).toBe(
      'Café menu\nline two\n\n\nnext part here\nlast',
    );
  });

  it('keeps Markdown structure as text', () => {
    const content = '# Title\n\nIntro with *emphasis*.\n\n- one\n- two\n\n```ts\nconst a = 1;   \n```\n\n## Next  \n';
    expect(normalizeContent({ content, contentType: 'text/markdown; charset=utf-8' })).toBe(
      '# Title\n\nIntro with *emphasis*.\n\n- one\n- two\n\n```ts\nconst a = 1;\n```\n\n## Next',
    );
  });

  it('turns HTML into readable text with Markdown headings, no scripts or styles, link text only', () => {
    const html = [
      '<html><head><title>Ignored</title><style>p { color: red }</style></head><body>',
      '<h1>Getting  started</h1><script>alert("x")</script>',
      '<p>Read the <a href="https://example.com/guide">install guide</a> first.&nbsp;Then&amp;go.</p>',
      '<ul><li>one</li><li>two</li></ul>',
      '<h3>Details</h3><p>Caf\u0065\u0301.</p><noscript>enable js</noscript><img src="x.png" alt="logo">',
      '</body></html>',
    ].join('');
    expect(normalizeContent({ content: html, contentType: 'TEXT/HTML' })).toBe(
      '# Getting started\n\nRead the install guide first. Then&go.\n\n- one\n- two\n\n### Details\n\nCafé.',
    );
  });

  it('rejects unknown content types with UNSUPPORTED_CONTENT_TYPE', () => {
    const attempt = (): string => normalizeContent({ content: '{}', contentType: 'application/json' });
    expect(attempt).toThrow(ChunkingError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_CONTENT_TYPE', retriable: false }));
  });
});
