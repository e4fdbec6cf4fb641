// A wave's members CSV: one address a line, an optional header `user`, blank lines and
// '#' comments ignored, values may be quoted.

export interface CsvMember {
  readonly address: string; // trimmed, lower-cased
  readonly line: number; // 1-based
  readonly col: number;
}

export interface CsvProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

const EMAIL = /^[^\s@,;"']+@[^\s@,;"']+\.[^\s@,;"']+$/;

export function parseMemberCsv(text: string): { members: CsvMember[]; problems: CsvProblem[] } {
  const members: CsvMember[] = [];
  const problems: CsvProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let seenData = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const col = raw.indexOf(trimmed[0]!) + 1;
    const quoted = trimmed.length > 1 && (trimmed[0] === '"' || trimmed[0] === "'");
    const value = quoted ? trimmed.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1').trim() : trimmed;
    if (!seenData && value.toLowerCase() === 'user') {
      seenData = true;
      return; // header
    }
    seenData = true;
    if (/[,;\t]/.test(value)) {
      problems.push({ line, col, message: `line ${line} holds more than one value: a members CSV has one address a line` });
      return;
    }
    if (!EMAIL.test(value)) {
      problems.push({ line, col, message: `'${value.length > 60 ? value.slice(0, 57) + '...' : value}' is not an e-mail address` });
      return;
    }
    members.push({ address: value.toLowerCase(), line, col });
  });
  return { members, problems };
}
