// The wire form of the migration marker (open extension dev.t2t.migration). Open extension values
// must be primitives or arrays, so nested objects (the content-sync watermarks) are stored as JSON
// strings. Apply writes with encodeMarker; discovery and apply read with decodeMarker.
export type MarkerData = Record<string, unknown>;

/** Stored form: objects as JSON strings; undefined and null fields left out. */
export function encodeMarker(m: MarkerData): MarkerData {
  const out: MarkerData = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
  }
  return out;
}

/** Read form: OData bookkeeping dropped, JSON-string objects parsed back. */
export function decodeMarker(body: MarkerData): MarkerData {
  const out: MarkerData = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@odata') || k === 'id' || k === 'extensionName') continue;
    if (typeof v === 'string' && v.startsWith('{') && v.endsWith('}')) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // a plain string that looks like an object: keep it
      }
    }
    out[k] = v;
  }
  return out;
}
