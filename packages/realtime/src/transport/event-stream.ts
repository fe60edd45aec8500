/**
 * A Server-Sent Events parser (the WHATWG "event stream interpretation"), for streams read
 * with `fetch`. Lines end in CR, LF or CRLF (a CRLF may be split across chunks), a leading
 * BOM is skipped, `:` lines are comments, one space after the colon is dropped, `data`
 * lines join with LF, and a blank line dispatches (an event without data is dropped). `id`
 * and `retry` are read and ignored: every frame carries its own cursor, and the ladder
 * owns reconnecting.
 */
export type EventStreamListener = (type: string, data: string) => void;

/** Returns `feed(chunk)`, which is false once a line or an event outgrows `maxChars`. */
export function eventStreamParser(
  onEvent: EventStreamListener,
  maxChars: number,
): (chunk: string) => boolean {
  const lineEnd = /\r\n|\r|\n/g;
  let buffer = '';
  let started = false;
  let afterCr = false;
  let data: string | null = null;
  let type = '';

  const line = (text: string) => {
    if (!text) {
      if (data !== null) onEvent(type || 'message', data);
      data = null;
      type = '';
      return;
    }
    // The field, and its value after the first colon and one space; a comment's field is empty.
    const [, field, value = ''] = /^([^:]*)(?:: ?([^]*))?$/.exec(text)!;
    if (field === 'data') data = data === null ? value : `${data}\n${value}`;
    else if (field === 'event') type = value;
  };

  return (chunk) => {
    buffer += chunk;
    if (!started && buffer) {
      started = true;
      if (buffer[0] === '\uFEFF') buffer = buffer.slice(1);
    }
    let at = 0;
    // The LF of a CRLF whose CR ended the previous chunk.
    if (afterCr && buffer[0] === '\n') at = 1;
    afterCr = false;
    lineEnd.lastIndex = at;
    for (let match; (match = lineEnd.exec(buffer));) {
      line(buffer.slice(at, match.index));
      at = lineEnd.lastIndex;
      afterCr = match[0] === '\r' && at === buffer.length;
    }
    buffer = buffer.slice(at);
    return buffer.length + (data?.length ?? 0) <= maxChars;
  };
}
