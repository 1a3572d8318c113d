import { compile, type FormatCallback, type SelectorDefinition } from 'html-to-text';

// Headings become Markdown `#` lines so the chunker splits HTML and Markdown documents alike.
// eslint-disable-next-line max-params -- the formatter signature is html-to-text's, not ours
const markdownHeading: FormatCallback = (elem, walk, builder, formatOptions) => {
  const level = typeof formatOptions['level'] === 'number' ? formatOptions['level'] : 1;
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${'#'.repeat(level)} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const headingSelectors: SelectorDefinition[] = [1, 2, 3, 4, 5, 6].map((level) => ({
  selector: `h${level}`,
  format: 'markdownHeading',
  options: { level },
}));

const skipped = ['script', 'style', 'noscript', 'template', 'svg', 'img', 'iframe', 'object', 'canvas'];

function compileConverter(): (html: string) => string {
  return compile({
    wordwrap: false,
    formatters: { markdownHeading },
    selectors: [
      ...headingSelectors,
      ...skipped.map((selector) => ({ selector, format: 'skip' })),
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'ul', options: { itemPrefix: '- ' } },
      { selector: 'hr', format: 'skip' },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
}

// Compiling the selector tree (~2 ms) costs more than converting a typical page (~1 ms), so the
// converter is compiled on first use and kept: it is immutable and holds no I/O.
let converter: ((html: string) => string) | undefined;

/**
 * Converts an HTML document to the text a reader sees: no scripts, styles or images, link text
 * without its URL, lists as `- ` items and headings as `#` lines.
 */
export function htmlToReadableText(html: string): string {
  converter ??= compileConverter();
  return converter(html);
}
