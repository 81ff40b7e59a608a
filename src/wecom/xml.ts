import { XMLParser } from 'fast-xml-parser';
import { CallbackError, type CallbackRejection } from './errors';

const ARRAY_PATHS = new Set([
  'xml.MemChangeList.Item',
  'xml.SelectedItems.SelectedItem',
  'xml.SelectedItems.SelectedItem.OpitonIds.OpitonId',
  'xml.SelectedItems.SelectedItem.OptionIds.OptionId',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false, // ids stay strings: MsgId exceeds 2^53
  processEntities: false,
  trimValues: true,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

/** A DOCTYPE (and with it any entity declaration) has no place in a WeCom payload: refuse before parsing. */
const DOCTYPE = /<!(DOCTYPE|ENTITY)/i;

export type XmlNode = Record<string, unknown>;

/** Parses a WeCom `<xml>…</xml>` document strictly; throws CallbackError with the given reason code. */
export function parseWeComXml(text: string, code: CallbackRejection): XmlNode {
  if (DOCTYPE.test(text)) throw new CallbackError(code, 'XML with a DOCTYPE or entity declaration is refused');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new CallbackError(code, `XML is not well-formed: ${(err as Error).message}`);
  }
  const root = (doc as XmlNode | undefined)?.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new CallbackError(code, 'XML has no <xml> root element');
  }
  return root as XmlNode;
}

/** A text field, or undefined when absent or empty. */
export function text(node: XmlNode, key: string): string | undefined {
  const v = node[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function int(node: XmlNode, key: string): number | undefined {
  const v = text(node, key);
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** Children of a list element, accepting `<Item>`s and the legacy comma-separated form. */
export function list(node: XmlNode, key: string, itemKey: string): string[] {
  const v = node[key];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (v && typeof v === 'object') {
    const items = (v as XmlNode)[itemKey];
    const arr = Array.isArray(items) ? items : items === undefined ? [] : [items];
    return arr.map((x) => (typeof x === 'string' || typeof x === 'number' ? String(x).trim() : '')).filter(Boolean);
  }
  return [];
}
