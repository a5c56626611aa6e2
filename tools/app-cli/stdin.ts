// Secrets and codes that are not options: a hidden prompt on a terminal, else lines of stdin.
import { createInterface, type Interface } from 'node:readline';
import type { LineSource } from './context.js';

/** A hidden (or echoed) prompt on a terminal; else one line of stdin per read. */
export function stdinLines(): LineSource {
  let lines: Interface | undefined;
  const queue: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const startPiped = () => {
    lines = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    });
    lines.on('close', () => {
      ended = true;
      for (const waiter of waiting.splice(0)) waiter(null);
    });
  };
  return {
    read(prompt, { hidden }) {
      if (process.stdin.isTTY) return readTerminal(prompt, hidden);
      if (!lines) startPiped();
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      lines?.close();
    },
  };
}

/** Reads one line in raw mode; echoes nothing when hidden, the characters otherwise. Ctrl-C exits 130. */
function readTerminal(prompt: string, hidden: boolean): Promise<string | null> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    const finish = (result: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n') return finish(value);
        if (character === '\u0003') {
          finish(null);
          process.exit(130);
        }
        if (character === '\u0004') {
          if (value === '') return finish(null);
          continue;
        }
        if (character === '\u007f' || character === '\b') {
          if (value !== '') {
            value = [...value].slice(0, -1).join('');
            if (!hidden) process.stderr.write('\b \b');
          }
          continue;
        }
        if (character === '\u001b') return; // an escape sequence (arrow keys): ignore the rest of it
        if (character < ' ') continue;
        value += character;
        if (!hidden) process.stderr.write(character);
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
