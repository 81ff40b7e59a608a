import { parse, type TNode } from 'txml';
import { CallbackError, type CallbackRejection } from './errors';

/**
 * WeCom XML is shallow: an `<xml>` root of text fields, plus a few lists (MemChangeList/Item, SelectedItems).
 * We parse it with txml (the fastest DOM parser we measured: the webhook parses two documents per callback) into
 * a small tree where a field is its trimmed text (CDATA or not) and an element with child elements is a node;
 * repeated children become arrays. txml never expands entities; we refuse DTDs outright and insist on a complete
 * `<xml>…</xml>` document, since txml itself forgives unclosed tags.
 */
export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue | undefined;
}

/** A DOCTYPE (and with it any entity declaration) has no place in a WeCom payload: refuse before parsing. */
const DOCTYPE = /<!(DOCTYPE|ENTITY)/i;
const COMPLETE = /^\s*(<\?xml[^>]*\?>\s*)?<xml>[\s\S]*<\/xml>\s*$/;

function toValue(el: TNode): XmlValue {
  let hasElements = false;
  let txt = '';
  for (const c of el.children) {
    if (typeof c === 'string') txt += c;
    else hasElements = true;
  }
  if (!hasElements) return txt.trim();
  const node: XmlNode = {};
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    const v = toValue(c);
    const prev = node[c.tagName];
    if (prev === undefined) node[c.tagName] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else node[c.tagName] = [prev, v];
  }
  return node;
}

/**
 * The checks that come before any parse: no DOCTYPE or entity declaration, and one `<xml>…</xml>` from end to end.
 * Throws CallbackError with the given reason code.
 */
export function checkWeComXmlShape(text: string, code: CallbackRejection): void {
  if (DOCTYPE.test(text)) throw new CallbackError(code, 'XML with a DOCTYPE or entity declaration is refused');
  if (!COMPLETE.test(text)) throw new CallbackError(code, 'not a complete <xml>…</xml> document');
}

/** Parses a WeCom `<xml>…</xml>` document; throws CallbackError with the given reason code. */
export function parseWeComXml(text: string, code: CallbackRejection): XmlNode {
  checkWeComXmlShape(text, code);
  let doc: (TNode | string)[];
  try {
    doc = parse(text, { noChildNodes: [] }) as (TNode | string)[];
  } catch (err) {
    throw new CallbackError(code, `XML is not well-formed: ${(err as Error).message.split('\n')[0]}`);
  }
  const roots = doc.filter((n): n is TNode => typeof n !== 'string' && n.tagName === 'xml');
  if (roots.length !== 1 || !roots[0]) throw new CallbackError(code, 'XML has no single <xml> root element');
  const v = toValue(roots[0]);
  return typeof v === 'object' && !Array.isArray(v) ? v : {};
}

/** A text field, or undefined when absent or empty. */
export function text(node: XmlNode, key: string): string | undefined {
  const v = node[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function int(node: XmlNode, key: string): number | undefined {
  const v = text(node, key);
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

const asArray = (v: XmlValue | undefined): XmlValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Children of a list element, accepting `<Item>`s and the legacy comma-separated form. */
export function list(node: XmlNode, key: string, itemKey: string): string[] {
  const v = node[key];
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return asArray(v[itemKey]).filter((x): x is string => typeof x === 'string' && x !== '');
  }
  return [];
}

/** Child nodes under a wrapper, e.g. SelectedItems/SelectedItem. */
export function nodes(node: XmlNode, key: string, itemKey: string): XmlNode[] {
  const v = node[key];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  return asArray(v[itemKey]).filter((x): x is XmlNode => typeof x === 'object' && !Array.isArray(x));
}
