// Server-sent events as the HTML standard parses them, for a stream read with fetch(): EventSource
// cannot send the token in a header, and a token in the URL would end up in logs and history.
// Text arrives in arbitrary chunks; lines may end in \n, \r\n or \r, even split across chunks.

export interface SseMessage {
  /** The `event:` field, `message` when absent. */
  event: string;
  data: string;
  /** The stream's last event id after this message (ids persist across messages). */
  lastEventId: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private hasData = false;
  /** Carried across messages, as the standard says; reconnects send it back as Last-Event-ID. */
  lastEventId = '';
  /** The server's `retry:` advice in ms, if it gave one. */
  retry: number | undefined;
  /** A \r ended the last chunk: a \n starting the next one belongs to the same line end. */
  private pendingCr = false;

  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(':')) return; // a comment: heartbeats
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Unknown fields are ignored.
    }
  }

  private dispatch(out: SseMessage[]): void {
    // A block without data only moves the id (the server announces its cursor that way).
    if (this.hasData) {
      out.push({ event: this.event || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId });
    }
    this.data = [];
    this.event = '';
    this.hasData = false;
  }
}
