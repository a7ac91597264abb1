/**
 * Bytes → text. Strict UTF-8 by default (a BOM is dropped), so a file saved in a legacy code page is
 * refused naming its first bad line instead of importing mojibake; `--encoding` names another
 * encoding (any WHATWG label Node knows: latin1, windows-1250, windows-1251, utf-16le …).
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { UsageError } from '../errors.js';
import { ImportFileError } from './errors.js';

const CHUNK = 1 << 16;

/** Turns byte chunks into text; `final` flushes a character split across the last chunk. */
export type Decoder = (chunk: Buffer | undefined) => string | undefined;

export function openDecoder(encoding: string | undefined): Decoder {
  const label = encoding?.trim() || 'utf-8';
  if (/^(utf-?8|unicode-1-1-utf-8)$/i.test(label)) return utf8Decoder();
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    throw new UsageError(
      `--encoding: "${label}" is not an encoding this program knows`,
      'try utf-8, latin1, windows-1250, windows-1251, utf-16le',
    );
  }
  return (chunk) => (chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode());
}

/**
 * Strict UTF-8. TextDecoder with `fatal` is ≈ 5× slower than Buffer#toString, so each chunk is cut at
 * its last complete character, checked with isUtf8 and converted; undefined means "not UTF-8".
 */
function utf8Decoder(): Decoder {
  let carry: Buffer | undefined;
  let first = true;
  return (chunk) => {
    let buf = chunk ? (carry ? Buffer.concat([carry, chunk]) : chunk) : (carry ?? Buffer.alloc(0));
    if (first && buf.length >= 3) {
      first = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const cut = chunk ? completeLength(buf) : buf.length;
    carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : undefined;
    const body = buf.subarray(0, cut);
    return isUtf8(body) ? body.toString('utf8') : undefined;
  };
}

/** Length of the prefix that ends on a character boundary (at most 3 bytes are held back). */
function completeLength(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** Decoded text of the file, chunk by chunk (memory stays flat however large the file is). */
export async function* decodeChunks(
  file: string,
  label: string,
  decode: Decoder,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<string> {
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    bytes += (chunk as Buffer).length;
    const text = decode(chunk as Buffer);
    if (text === undefined) throw await badUtf8(file, label);
    onBytes?.(bytes);
    if (text) yield text;
  }
  const tail = decode(undefined);
  if (tail === undefined) throw await badUtf8(file, label);
  if (tail) yield tail;
}

async function badUtf8(file: string, label: string): Promise<ImportFileError> {
  const line = await firstBadUtf8Line(file);
  return new ImportFileError(
    `${label}:${line}: the file is not valid UTF-8 text (first bad bytes on this line)`,
    'save it as UTF-8 (CSV UTF-8 in a spreadsheet), or name its encoding: --encoding windows-1252 (or latin1, windows-1251, …)',
  );
}

/** Line number (1-based) of the first line that is not valid UTF-8. */
export async function firstBadUtf8Line(file: string): Promise<number> {
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK })) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      if (!isUtf8(buf.subarray(start, nl))) return line;
      line++;
      start = nl + 1;
    }
    carry = Buffer.from(buf.subarray(start));
  }
  return line;
}
