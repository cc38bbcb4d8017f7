/** Reads a text/event-stream response event by event, for tests that speak raw HTTP. */
export interface SseEvent {
  id?: string;
  data: string;
}

export async function* readSse(response: Response): AsyncGenerator<SseEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = sseEventOf(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      if (event.data) yield event;
    }
  }
}

/** One event block (the text between blank lines): its `id:` and its joined `data:` lines. */
export function sseEventOf(block: string): SseEvent {
  const event: SseEvent = { data: '' };
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) event.id = line.slice(3).trim();
    if (line.startsWith('data:')) event.data += line.slice(5).trim();
  }
  return event;
}

/** The JSON-RPC messages in an SSE response body, read to its end. */
export async function sseMessages(response: Response): Promise<Array<Record<string, unknown>>> {
  const messages: Array<Record<string, unknown>> = [];
  for await (const event of readSse(response)) messages.push(JSON.parse(event.data));
  return messages;
}
