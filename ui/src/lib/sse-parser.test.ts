import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from './sse-parser.ts';

describe('SseParser', () => {
  it('parses messages with ids, multi-line data and named events', () => {
    const parser = new SseParser();
    const out = parser.push('id: 7\ndata: {"a":1}\n\nevent: ping\ndata: one\ndata: two\n\n');
    assert.deepEqual(out, [
      { event: 'message', data: '{"a":1}', lastEventId: '7' },
      { event: 'ping', data: 'one\ntwo', lastEventId: '7' },
    ]);
  });

  it('survives chunks split anywhere, including between \\r and \\n', () => {
    const text = 'retry: 2000\r\nid: 3\r\ndata: x\r\n\r\n: keep-alive\r\n\r\nid: 4\rdata: y\r\r';
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const out = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      assert.deepEqual(
        out.map((m) => [m.data, m.lastEventId]),
        [
          ['x', '3'],
          ['y', '4'],
        ],
        `cut at ${cut}`,
      );
      assert.equal(parser.retry, 2000);
    }
  });

  it('an id without data moves the cursor without dispatching; comments are ignored', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('retry: 2000\nid: 41\n\n: keep-alive\n\n'), []);
    assert.equal(parser.lastEventId, '41');
  });

  it('keeps an unfinished message until its blank line arrives', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: half'), []);
    assert.deepEqual(parser.push('\n'), []);
    assert.deepEqual(parser.push('\n'), [{ event: 'message', data: 'half', lastEventId: '' }]);
  });

  it('ignores unknown fields and an id containing NUL', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('id: 5\nfoo: bar\nid: a\0b\ndata\n\n'), [
      { event: 'message', data: '', lastEventId: '5' },
    ]);
  });
});
