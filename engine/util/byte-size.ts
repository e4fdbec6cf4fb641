// A byte count as people read it: "1023 B", "1.9 MiB". Every size t2t prints goes through here.

/** Units above bytes, powers of 1024: as Exchange prints mailbox sizes (the discovery report). */
export const EXCHANGE_UNITS = ['KB', 'MB', 'GB', 'TB'] as const;
/** The same powers of 1024 with their IEC names (the plan, sync summaries). */
export const IEC_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

export function byteSize(n: number, units: readonly string[] = IEC_UNITS): string {
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let i = 0;
  // 1,048,575 bytes are 1023.999 KiB, which one decimal shows as 1024.0: the next unit then
  while (v >= 1023.95 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
