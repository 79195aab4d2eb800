// The spec's XML, the format every GeoReport v2 server must speak (JSON is the optional one). The JSON
// answers are built first; their XML follows the spec's mapping between the two (the "Spark
// convention"): a list is an element named by its plural holding one element per item named by its
// singular (<services><service>…</service></services>), a null is an empty element, and the document
// starts with the XML declaration naming UTF-8.

import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'json' | 'xml';
export const FORMATS = ['json', 'xml'] as const satisfies readonly Format[];

/** The content type of each format, as the spec writes them. */
export const CONTENT_TYPE: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** Each list's element and the element of its items. */
const ITEM_OF: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

const builder = new XMLBuilder({ format: true, indentBy: '  ', ignoreAttributes: true, suppressEmptyNode: false });

/** A JSON answer as the spec's XML elements: lists wrapped, by name, element by element. */
function elements(name: string, value: unknown): unknown {
  if (Array.isArray(value)) {
    const item = ITEM_OF[name];
    if (!item) throw new Error(`no XML element is defined for the items of "${name}"`);
    return { [item]: value.map((v) => elements(item, v)) };
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, elements(key, v)]));
  }
  return value;
}

/** The XML document of a JSON answer whose root element is `root` (a list's plural, or an object's name). */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: elements(root, value) }) as string}`;
}

/** The format a URL asks for by its extension: JSON when it ends in .json, otherwise the spec's XML. */
export function formatOfUrl(url: string): Format {
  const pathname = url.split('?')[0] ?? '';
  return pathname.endsWith('.json') ? 'json' : 'xml';
}
