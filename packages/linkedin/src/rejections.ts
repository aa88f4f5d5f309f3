/**
 * Which elements of a rejected batch LinkedIn blamed, read from the three message forms it uses:
 *
 * - 400, live form:        "…not exceed current time, indices [0, 3] (0-indexed)."
 * - 400, documented form:  "Validation failed because [{field=user, batchIndex=0, type=…, message=…}]"
 * - 422, schema errors:    "Index: 1, ERROR :: /user/lead :: Invalid Urn format…\nERROR :: /conversion :: …"
 *   (a line without "Index:" belongs to the index above it; a single create has no index at all).
 *
 * When no index is named and the request held one event, that event is the culprit (index 0);
 * otherwise the list stays empty and the caller has to narrow the batch down itself.
 */

export interface Rejection {
  indices: number[];
  reasons: string[];
}

const LIVE_INDICES = /,?\s*indices\s*\[([\d,\s]*)\]\s*(?:\(0-indexed\))?\.?/;
const DOC_ENTRY = /\{([^{}]*)\}/g;
const INDEX_LINE = /^Index:\s*(\d+),\s*/;

export function parseRejection(status: number, message: string, batchSize: number): Rejection {
  const byIndex = new Map<number, string[]>();
  let general: string[] = [];

  if (status === 422) general = parseSchemaLines(message, byIndex);
  else if (!parseLiveForm(message, byIndex) && !parseDocumentedForm(message, byIndex)) {
    const text = message.trim();
    if (text.length > 0) general = [text];
  }

  const valid = (i: number) => batchSize <= 0 || i < batchSize;
  const indices = [...byIndex.keys()].filter(valid);
  if (indices.length > 0) {
    return { indices, reasons: indices.map((i) => (byIndex.get(i) ?? []).join('; ')) };
  }
  const reason = general.join('; ');
  if (batchSize === 1) return { indices: [0], reasons: [reason] };
  return { indices: [], reasons: reason.length > 0 ? [reason] : [] };
}

function add(byIndex: Map<number, string[]>, index: number, reason: string): void {
  const list = byIndex.get(index);
  if (list) list.push(reason);
  else byIndex.set(index, [reason]);
}

/** "ERROR :: /path :: reason" → "/path :: reason". */
function schemaReason(line: string): string {
  return line.startsWith('ERROR :: ') ? line.slice(9) : line;
}

function parseSchemaLines(message: string, byIndex: Map<number, string[]>): string[] {
  const unindexed: string[] = [];
  let current: number | null = null;
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const m = INDEX_LINE.exec(line);
    if (m) {
      current = Number(m[1]);
      add(byIndex, current, schemaReason(line.slice(m[0].length)));
    } else if (current !== null) add(byIndex, current, schemaReason(line));
    else unindexed.push(schemaReason(line));
  }
  return unindexed;
}

function parseLiveForm(message: string, byIndex: Map<number, string[]>): boolean {
  const m = LIVE_INDICES.exec(message);
  if (!m) return false;
  const reason = (message.slice(0, m.index) + message.slice(m.index + m[0].length)).trim();
  for (const part of (m[1] ?? '').split(',')) {
    const t = part.trim();
    if (t.length > 0) add(byIndex, Number(t), reason);
  }
  return byIndex.size > 0;
}

function parseDocumentedForm(message: string, byIndex: Map<number, string[]>): boolean {
  let found = false;
  for (const entry of message.matchAll(DOC_ENTRY)) {
    const body = entry[1] ?? '';
    const index = /(?:^|,\s*)batchIndex=(\d+)/.exec(body);
    if (!index) continue;
    const type = /(?:^|,\s*)type=([A-Z0-9_]+)/.exec(body)?.[1];
    const msgAt = body.indexOf('message=');
    const text = msgAt >= 0 ? body.slice(msgAt + 8).trim() : '';
    const reason = type && text ? `${type}: ${text}` : (type ?? text);
    add(byIndex, Number(index[1]), reason);
    found = true;
  }
  return found;
}
