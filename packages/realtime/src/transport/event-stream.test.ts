import { expect } from '@open-wc/testing';
import { createParser } from 'eventsource-parser';
import { eventStreamParser } from './event-stream.js';

function parse(chunks: string[], maxChars = 1 << 20) {
  const events: [string, string][] = [];
  const feed = eventStreamParser((type, data) => events.push([type, data]), maxChars);
  const accepted = chunks.map((chunk) => feed(chunk));
  return { events, accepted };
}

describe('eventStreamParser', () => {
  it('reads what the server sends: id, data, comments, named events', () => {
    const { events } = parse([
      ': ping\n\nid: e1:3\ndata: {"type":"event"}\n\nretry: 1000\n\nevent: auth-expired\ndata: {}\n\n',
    ]);
    expect(events).to.deep.equal([
      ['message', '{"type":"event"}'],
      ['auth-expired', '{}'],
    ]);
  });

  it('ends lines at CR, LF and CRLF, even a CRLF split across chunks', () => {
    const { events } = parse(['data: a\r\n\r', '\ndata: b\r', '\r', 'data: c\n', '\n']);
    expect(events).to.deep.equal([
      ['message', 'a'],
      ['message', 'b'],
      ['message', 'c'],
    ]);
  });

  it('joins data lines with LF, keeps a field without a colon, drops one leading space only', () => {
    const { events } = parse(['data:one\ndata:  two\ndata\n\n']);
    expect(events).to.deep.equal([['message', 'one\n two\n']]);
  });

  it('reassembles lines split anywhere, and skips a leading BOM', () => {
    const text = '\uFEFFdata: {"seq":1}\n\ndata: {"seq":2}\n\n';
    const { events } = parse(text.split(''));
    expect(events).to.deep.equal([
      ['message', '{"seq":1}'],
      ['message', '{"seq":2}'],
    ]);
  });

  it('dispatches nothing for an event without data, and resets the event name after each event', () => {
    const { events } = parse(['event: auth-expired\n\ndata: x\n\n', 'id: 1\n\n']);
    expect(events).to.deep.equal([['message', 'x']]);
  });

  it('keeps an unfinished event until its blank line, and drops it at the end of the stream', () => {
    const { events } = parse(['data: a\n', 'data: b']);
    expect(events).to.deep.equal([]);
  });

  it('refuses a line or an event that outgrows the limit', () => {
    expect(parse(['data: ' + 'x'.repeat(20)], 16).accepted).to.deep.equal([false]);
    expect(parse(['data: 1234567890\n', 'data: 1234567890\n'], 16).accepted).to.deep.equal([true, false]);
    expect(parse(['data: 12345\n\n'.repeat(10)], 16).accepted).to.deep.equal([true]);
  });

  it('agrees with eventsource-parser on a stream cut at random places', () => {
    const stream =
      '\uFEFF: hello\r\nid: e1:1\r\ndata: {"a":1}\r\n\r\nevent: heartbeat\rdata: x\r\rdata\ndata:  y\n\n' +
      'retry: 5\n\nevent: auth-expired\ndata: {}\n\n:comment only\n\ndata: last\n\ndata: cut';
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const chunks: string[] = [];
      for (let at = 0; at < stream.length;) {
        const size = 1 + Math.floor(random() * 12);
        chunks.push(stream.slice(at, at + size));
        at += size;
      }
      const reference: [string, string][] = [];
      const parser = createParser({
        onEvent: (event) => reference.push([event.event ?? 'message', event.data]),
      });
      for (const chunk of chunks) parser.feed(chunk);
      expect(parse(chunks).events).to.deep.equal(reference);
    }
  });
});
