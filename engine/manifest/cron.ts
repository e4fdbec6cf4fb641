// A cron expression checker that names the offending field, which node-cron's validate()
// (a boolean) cannot. Accepts 5 fields (minute hour day-of-month month day-of-week) or 6 (a
// leading second), with *, lists, ranges, steps and month/day names, as node-cron does.

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** undefined when valid, otherwise why not (naming the field). */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 5 && parts.length !== 6) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading second), this one has ${parts.length}`;
  }
  const fields = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (let i = 0; i < parts.length; i++) {
    const problem = fieldProblem(parts[i]!, fields[i]!);
    if (problem) return `${fields[i]!.name} field '${parts[i]}' ${problem}`;
  }
  // '0 0 31 4 *' is well formed but never fires: node-cron refuses it when the schedule is started
  // (t2t reconcile), so it is refused here, where the user can fix it
  const [dom, month] = parts.slice(parts.length - 3, parts.length - 1) as [string, string];
  const days = expand(dom, FIELDS[2]!);
  const months = expand(month, FIELDS[3]!);
  if (!months.some((m) => days.some((d) => d <= MAX_DAYS_IN_MONTH[m - 1]!))) {
    return `day-of-month field '${dom}' names no day that month field '${month}' has (${months.length === 1 ? `that month has at most ${MAX_DAYS_IN_MONTH[months[0]! - 1]} days` : 'those months are too short'}): the schedule would never run`;
  }
  return undefined;
}

const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a valid field selects. */
function expand(text: string, f: Field): number[] {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, step] = item.split('/');
    const [from, to] = range === '*' ? [f.min, f.max] : range!.split('-').map((b) => value(b, f)!);
    const last = to ?? (step !== undefined ? f.max : from!);
    for (let v = from!; v <= last; v += step !== undefined ? Number(step) : 1) out.add(v);
  }
  return [...out];
}

function fieldProblem(text: string, f: Field): string | undefined {
  for (const item of text.split(',')) {
    if (item === '') return 'has an empty list item';
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return 'has more than one /';
    if (step !== undefined && !/^\d+$/.test(step)) return `has a step '${step}' that is not a number`;
    if (step !== undefined && Number(step) === 0) return 'has a step of 0';
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `has a malformed range '${range}'`;
    const values: number[] = [];
    for (const b of bounds) {
      const v = value(b, f);
      if (v === undefined) return `has '${b}', which is not a number${f.names ? ' or a name' : ''}`;
      if (v < f.min || v > f.max) return `is out of range ${f.min}-${f.max}`;
      values.push(v);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `has a range '${range}' that runs backwards`;
  }
  return undefined;
}

function value(text: string, f: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i < 0) return undefined;
  return f.name === 'month' ? i + 1 : i;
}
