import { createReadStream } from 'node:fs';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { InputError } from '../errors.js';

/**
 * Safe, streaming XML records. The file is read in chunks through saxes (which never fetches external entities
 * and does not expand DTD entities); a DOCTYPE that declares entities is rejected outright, so "billion laughs"
 * and XXE files never get as far as a record. Each element whose name is in `recordTags` is returned as a small
 * tree with the line it started on; everything outside records is ignored except the root's attributes.
 */

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  line: number;
}

export interface XmlRecord {
  node: XmlNode;
  line: number;
}

export interface XmlStreamOptions {
  /** Element names that make one record each (e.g. INDIVIDUAL, ENTITY). */
  recordTags: ReadonlySet<string>;
  /** Called once with the root element's name and attributes. */
  onRoot?: (name: string, attrs: Record<string, string>) => void;
}

/** First child element with this name. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

/** Trimmed text of the first child with this name, or undefined when absent or empty. */
export function childText(node: XmlNode, name: string): string | undefined {
  const t = child(node, name)?.text.trim();
  return t ? t : undefined;
}

export async function* readXmlRecords(file: string, opts: XmlStreamOptions): AsyncGenerator<XmlRecord> {
  const name = path.basename(file);
  const parser = new SaxesParser({ position: true });
  const stack: XmlNode[] = [];
  let depth = 0;
  let sawRoot = false;
  let pending: XmlRecord[] = [];
  let failure: InputError | undefined;

  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) {
      failure ??= new InputError(
        `${name}:${parser.line}: DOCTYPE declares entities; refusing to read it (entity expansion and external entities are not allowed in list files)`,
      );
    }
  });
  parser.on('opentag', (tag) => {
    depth++;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === 'string' ? v : v.value;
    if (!sawRoot) {
      sawRoot = true;
      opts.onRoot?.(tag.name, attrs);
      return;
    }
    if (stack.length > 0 || opts.recordTags.has(tag.name)) {
      const node: XmlNode = { name: tag.name, attrs, children: [], text: '', line: parser.line };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    }
  });
  const onText = (text: string): void => {
    if (stack.length > 0) stack[stack.length - 1]!.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    depth--;
    if (stack.length === 0) return;
    const node = stack.pop()!;
    if (stack.length === 0) pending.push({ node, line: node.line });
  });
  parser.on('error', (err) => {
    failure ??= new InputError(`${name}:${parser.line}: malformed XML: ${err.message.replace(/^.*?:\d+:\d+: /, '')}`);
  });

  const decoder = new TextDecoder('utf-8');
  const feed = (text: string): void => {
    try {
      parser.write(text);
    } catch (err) {
      failure ??=
        err instanceof InputError
          ? err
          : new InputError(`${name}:${parser.line}: malformed XML: ${(err as Error).message}`);
    }
  };
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 18 })) {
    feed(decoder.decode(buf as Buffer, { stream: true }));
    if (failure) throw failure;
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      yield* batch;
    }
  }
  feed(decoder.decode());
  try {
    parser.close();
  } catch (err) {
    failure ??= new InputError(`${name}:${parser.line}: malformed XML: ${(err as Error).message}`);
  }
  if (failure) throw failure;
  if (!sawRoot) throw new InputError(`${name}:1: no XML root element found`);
  if (depth !== 0) throw new InputError(`${name}:${parser.line}: XML ends inside an element`);
  yield* pending;
}
