// The plan as JSON with a stable key order (SPEC's pinned fields first, in SPEC's order), so two
// plans of the same state are byte-identical and diffs of saved plans stay readable.
import type { PlanSink } from './build-plan.js';
import type { Plan, PlanChange, PlanHead, PlanOutline, Refusal } from './model.js';

const CHANGE_KEYS: readonly (keyof PlanChange)[] = ['id', 'wave', 'user', 'tenant', 'resource', 'action', 'summary', 'reversibility', 'dependsOn', 'op', 'params', 'inverseOp'];
const PLAN_KEYS: readonly (keyof Plan)[] = [
  'formatVersion',
  'project',
  'revision',
  'changes',
  'refused',
  'warnings',
  'summary',
  'waves',
  'orphans',
  'refusal',
  'manifestHash',
  'inventoryHash',
  'createdAt',
];

/** Objects with sorted keys (params, nested records), arrays in order. A value that already is
 *  so (plain objects whose keys are in order, all the way down) is returned as it is: the resource
 *  kinds write their params so (test/plan/params-order.test.ts), and a 100,000-user plan then
 *  serialises without a second copy of every change. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      const s = sorted(x);
      if (s !== x || (x === undefined && !(i in v))) out ??= v.slice(0, i);
      if (out) out.push(s);
    }
    return out ?? v;
  }
  if (v && typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    if (inKeyOrder(obj)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) out[k] = sorted(obj[k]);
    return out;
  }
  return v;
}

/** Whether a plain object's keys are in sorted order and its nested values already sorted: then
 *  it serialises as it is. Walked with for-in, no key list made (every change's params pass here). */
function inKeyOrder(obj: Record<string, unknown>): boolean {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  let previous: string | undefined;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) return false;
    if (previous !== undefined && previous > k) return false;
    previous = k;
    const x = obj[k];
    if (x !== null && typeof x === 'object' && sorted(x) !== x) return false;
  }
  return true;
}

/** Whether a change already has exactly the pinned keys in the pinned order (the planner makes
 *  them so): then it serialises as it is. */
function inChangeOrder(c: PlanChange): boolean {
  const proto = Object.getPrototypeOf(c) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  let i = 0;
  for (const k in c) if (k !== CHANGE_KEYS[i++]) return false;
  return i === CHANGE_KEYS.length;
}

function changeJson(c: PlanChange): unknown {
  const params = sorted(c.params);
  if (params === c.params && inChangeOrder(c)) return c;
  // CHANGE_KEYS, in order, as one literal (one object shape for every change)
  return {
    id: c.id,
    wave: c.wave,
    user: c.user,
    tenant: c.tenant,
    resource: c.resource,
    action: c.action,
    summary: c.summary,
    reversibility: c.reversibility,
    dependsOn: c.dependsOn,
    op: c.op,
    params,
    inverseOp: c.inverseOp,
  };
}

/** A refused user as SPEC section 4 pins it, user then reason, then the wave (sorted() would put
 *  the reason first). */
function refusedJson(list: readonly Refusal[]): unknown[] {
  return list.map((r) => (r.wave === undefined ? { user: r.user, reason: r.reason } : { user: r.user, reason: r.reason, wave: r.wave }));
}

/** The plan as the JSON value renderPlanJson prints. It shares the objects that are already in
 *  order with the plan (no copy of 100,000 users' changes): read it, don't mutate it. */
export function planToJsonValue(plan: Plan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PLAN_KEYS) {
    if (k === 'changes') {
      out[k] = plan.changes.map(changeJson);
    } else if (k === 'summary') {
      out[k] = { create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete, run: plan.summary.run };
    } else if (k === 'revision') {
      out[k] = { commit: plan.revision.commit, dirty: plan.revision.dirty };
    } else if (k === 'refused') {
      out[k] = refusedJson(plan.refused);
    } else out[k] = sorted(plan[k]);
  }
  return out;
}

export function renderPlanJson(plan: Plan, pretty = true): string {
  return JSON.stringify(planToJsonValue(plan), null, pretty ? 2 : undefined) + '\n';
}

/** JSON.stringify(v, null, 2) as a value nested at `indent` (JSON text never holds a raw newline
 *  inside a string, so every newline is a line break to indent). */
function nested(v: unknown, indent: string): string | undefined {
  const s = JSON.stringify(v, null, 2) as string | undefined;
  return s === undefined ? undefined : s.replace(/\n/g, '\n' + indent);
}

const BATCH_HEAD = '{\n  "changes": [\n';
const BATCH_TAIL = '\n  ]\n}';
const CHANGES_AT = PLAN_KEYS.indexOf('changes');

/** The members of the plan object under `keys`, each as ',\n  "key": value' (the first member of
 *  the document without the comma). */
function members(plan: Partial<Plan>, keys: readonly (keyof Plan)[], first: boolean): string {
  let out = '';
  for (const k of keys) {
    let value: unknown;
    if (k === 'summary') value = { create: plan.summary!.create, update: plan.summary!.update, delete: plan.summary!.delete, run: plan.summary!.run };
    else if (k === 'revision') value = { commit: plan.revision!.commit, dirty: plan.revision!.dirty };
    else if (k === 'refused') value = refusedJson(plan.refused!);
    else value = sorted(plan[k]);
    const s = nested(value, '  ');
    if (s === undefined) continue; // JSON.stringify leaves such a key out
    out += `${first ? '\n' : ',\n'}  ${JSON.stringify(k)}: ${s}`;
    first = false;
  }
  return out;
}

/** Changes per batch: a batch's text (about 740 bytes a change) stays under V8's 128 KiB limit for
 *  an ordinary heap object. A larger one is built in the large-object space and, being a tree of
 *  pieces, copied there once more when it is written (flattened): batches of 1,000 changes cost
 *  the planner's thread twice the time of batches of 100 for the same 270 MiB (bench/plan). */
const CHANGES_PER_BATCH = 100;

/** The document up to the changes: '{', the members before "changes", '"changes": '. */
function head(plan: PlanHead): string {
  return '{' + members(plan, PLAN_KEYS.slice(0, CHANGES_AT), true) + ',\n  "changes": ';
}

/** Changes as items of the "changes" array: '[' before the first batch, ',' between batches. A
 *  batch is stringified where it stands in the plan, as {"changes": [batch]}: its items come out
 *  with the document's indentation (no second pass to indent them), and the wrapper is cut off. */
function batch(changes: readonly PlanChange[], first: boolean): string {
  const text = JSON.stringify({ changes: changes.map(changeJson) }, null, 2);
  return (first ? '[\n' : ',\n') + text.slice(BATCH_HEAD.length, text.length - BATCH_TAIL.length);
}

/** The document from the end of the changes array on. */
function tail(plan: PlanOutline, anyChanges: boolean): string {
  return (anyChanges ? '\n  ]' : '[]') + members(plan, PLAN_KEYS.slice(CHANGES_AT + 1), false) + '\n}\n';
}

/**
 * renderPlanJson(plan) in pieces: their concatenation is exactly the same text. For writing a
 * large plan to a file or stdout: the whole text (about 280 MiB for 100,000 users in flight)
 * never has to exist as one string, nor twice while JSON.stringify joins it.
 */
export function* planJsonChunks(plan: Plan, changesPerChunk = CHANGES_PER_BATCH): Generator<string> {
  const changes = plan.changes;
  let buf = head(plan);
  for (let i = 0; i < changes.length; i += changesPerChunk) {
    yield buf + batch(changes.slice(i, i + changesPerChunk), i === 0);
    buf = '';
  }
  yield buf + tail(plan, changes.length > 0);
}

/** A sink for streamPlan that writes renderPlanJson's text as the plan is made, in batches of
 *  changes: call end() with streamPlan's outline to write the rest. Holds one batch at most. */
export function jsonSink(write: (text: string) => void, plan: PlanHead, changesPerChunk = CHANGES_PER_BATCH): PlanSink & { end(outline: PlanOutline): void } {
  let pending: PlanChange[] = [];
  let written = false;
  const flush = () => {
    if (!pending.length) return;
    write(batch(pending, !written));
    written = true;
    pending = [];
  };
  write(head(plan));
  return {
    changes(list) {
      for (let i = 0; i < list.length; i++) pending.push(list[i]!);
      if (pending.length >= changesPerChunk) flush();
    },
    wave() {},
    end(outline) {
      flush();
      write(tail(outline, written));
    },
  };
}
