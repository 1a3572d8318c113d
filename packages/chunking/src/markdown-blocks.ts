/** A span of the document, as UTF-16 offsets (`end` exclusive). */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

export type BlockKind = 'heading' | 'paragraph' | 'code';

export interface Block extends TextRange {
  readonly kind: BlockKind;
}

const headingLine = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;

function isFenceClose(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= marker.length && trimmed.startsWith(marker) && /^(?:`+|~+)$/.test(trimmed);
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * Splits Markdown (or plain text, which is Markdown without markup) into sections, each a list
 * of blocks: an ATX heading starts a section, blank lines separate paragraphs, and a fenced code
 * block is one block even when it holds blank lines. Block ranges exclude surrounding whitespace.
 */
export function markdownSections(text: string): Block[][] {
  const sections: Block[][] = [];
  let blocks: Block[] = [];
  let paragraph: TextRange | undefined;
  let fence: { marker: string; start: number } | undefined;
  const endParagraph = (): void => {
    if (paragraph !== undefined) blocks.push({ kind: 'paragraph', ...paragraph });
    paragraph = undefined;
  };
  for (let pos = 0; pos < text.length; ) {
    const newline = text.indexOf('\n', pos);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(pos, lineEnd);
    const contentEnd = pos + line.trimEnd().length;
    if (fence !== undefined) {
      if (isFenceClose(line, fence.marker)) {
        blocks.push({ kind: 'code', start: fence.start, end: contentEnd });
        fence = undefined;
      }
    } else if (line.trim() === '') {
      endParagraph();
    } else if (headingLine.test(line)) {
      endParagraph();
      const heading: Block = { kind: 'heading', start: pos + leadingSpaces(line), end: contentEnd };
      // A heading directly followed by another (`# Guide` then `## Install`) joins that section
      // rather than making a chunk of its own.
      if (blocks.length > 0 && blocks.some((block) => block.kind !== 'heading')) {
        sections.push(blocks);
        blocks = [heading];
      } else {
        blocks.push(heading);
      }
    } else {
      const open = fenceOpen.exec(line);
      if (open?.[1] !== undefined) {
        endParagraph();
        fence = { marker: open[1], start: pos };
      } else {
        paragraph = { start: paragraph?.start ?? pos + leadingSpaces(line), end: contentEnd };
      }
    }
    pos = lineEnd + 1;
  }
  // An unclosed fence runs to the end of the document, as in CommonMark.
  if (fence !== undefined) blocks.push({ kind: 'code', start: fence.start, end: text.trimEnd().length });
  endParagraph();
  if (blocks.length > 0) sections.push(blocks);
  return sections;
}
