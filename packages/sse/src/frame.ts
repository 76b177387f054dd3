/** Formats one server-sent event: its name and its JSON data (one line, so no escaping is needed). */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
