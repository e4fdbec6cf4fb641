// When a cron schedule fires, computed rather than waited for: reconcile decides what is due
// from the last run it recorded and the schedule ("has it fired since?"), so a tick missed while
// another cycle ran, a restart, or `--once` from an outer scheduler all catch up the same way.
// Times are local, as node-cron fires them. node-cron's parser (public `parse`) gives the fields;
// a never-started task's `match()` decides days (it knows L, #, W and the dom/dow rules).
import cron, { type ScheduledTask } from 'node-cron';

const matchers = new Map<string, ScheduledTask>();
const MAX_DAYS = 366 * 5;

function matcher(expression: string): ScheduledTask {
  let task = matchers.get(expression);
  if (!task) {
    task = cron.createTask(expression, () => undefined); // never started: used for match() only
    matchers.set(expression, task);
  }
  return task;
}

/** The first time strictly after `after` at which `expression` fires, or null (none in 5 years). */
export function nextCronTime(expression: string, after: Date): Date | null {
  const fields = cron.parse(expression);
  const task = matcher(expression);
  const seconds = [...fields.second].sort((a, b) => a - b);
  const minutes = [...fields.minute].sort((a, b) => a - b);
  const hours = [...fields.hour].sort((a, b) => a - b);
  const start = new Date(after.getFullYear(), after.getMonth(), after.getDate());
  for (let d = 0; d < MAX_DAYS; d++) {
    const y = start.getFullYear();
    const mo = start.getMonth();
    const day = start.getDate() + d;
    // The time fields always match their own values, so a miss on the first time of a day is a
    // miss of the day itself (month, day of month, day of week). That time must exist on the day:
    // at a daylight-saving switch 02:00 does not, and Date would move it to 03:00, which misses on
    // the hour (with '0 2,14 * * *' the 14:00 run of that day would be lost).
    const probe = hours.find((h) => new Date(y, mo, day, h, minutes[0]!, seconds[0]!).getHours() === h);
    if (probe === undefined || !task.match(new Date(y, mo, day, probe, minutes[0]!, seconds[0]!))) continue;
    for (const h of hours) {
      for (const m of minutes) {
        for (const s of seconds) {
          const at = new Date(y, mo, day, h, m, s);
          if (at.getTime() > after.getTime() && task.match(at)) return at;
        }
      }
    }
  }
  return null;
}

/** Has `expression` fired in (since, now]? Never run before (since undefined) counts as due. */
export function isDue(expression: string, since: Date | undefined, now: Date): boolean {
  if (since === undefined) return true;
  const next = nextCronTime(expression, since);
  return next !== null && next.getTime() <= now.getTime();
}

/** "02:00" when within the next 24 hours, otherwise "2026-12-05 02:00" (local time). */
export function formatNext(at: Date, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.getTime() - now.getTime() < 24 * 3600_000) return time;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}
