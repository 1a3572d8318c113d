import { GatewayError } from './gateway-error.js';

export interface SourceHit {
  chunkId: string;
  title: string | null;
  text: string;
}

export interface GeneratedAnswer {
  text: string;
  /** Chunk ids of the sources the answer cites as [n], in order of first citation. */
  citations: string[];
}

export interface AnswerGeneratorOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

/** The chat messages for a grounded answer: numbered sources, and the rule to cite them as [n]. */
export function groundedPrompt(question: string, hits: readonly SourceHit[]) {
  const sources = hits.map((h, i) => `[${i + 1}] ${h.title ? `${h.title}: ` : ''}${h.text}`).join('\n\n');
  return [
    { role: 'system', content: 'Answer the question using only the numbered sources. Cite every claim with the source number in brackets, like [1]. If the sources do not contain the answer, say so.' },
    { role: 'user', content: `Sources:\n\n${sources}\n\nQuestion: ${question}` },
  ];
}

/** Chunk ids cited as [n] in `text`, in order of first citation; numbers outside the sources are ignored. */
export function citedChunks(text: string, hits: readonly SourceHit[]): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
    const hit = hits[Number(match[1]) - 1];
    if (hit && !ids.includes(hit.chunkId)) ids.push(hit.chunkId);
  }
  return ids;
}

/**
 * Grounded generation through any OpenAI-compatible /v1/chat/completions endpoint, streamed:
 * `onToken` sees each piece of text as it arrives.
 */
export function createAnswerGenerator(options: AnswerGeneratorOptions) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const url = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`;
  return {
    async generate(input: { question: string; hits: readonly SourceHit[]; onToken?: (text: string) => void }): Promise<GeneratedAnswer> {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({ model: options.model, stream: true, messages: groundedPrompt(input.question, input.hits) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      }).catch((cause: unknown) => {
        throw new GatewayError('UNAVAILABLE', 'the answer model is unreachable', { cause, retriable: true });
      });
      if (!response.ok || !response.body) throw new GatewayError('UNAVAILABLE', `the answer model answered ${response.status}`, { retriable: true });
      let text = '';
      let buffer = '';
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const data = line.startsWith('data:') ? line.slice(5).trim() : '';
          if (!data || data === '[DONE]') continue;
          const piece = (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
          if (piece) {
            text += piece;
            input.onToken?.(piece);
          }
        }
      }
      return { text, citations: citedChunks(text, input.hits) };
    },
  };
}

export type AnswerGenerator = ReturnType<typeof createAnswerGenerator>;
