// The shape of one CLI command: its help text, its options, and what it runs.
import type { CliIO } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** Placeholder shown in help, e.g. NAME. */
  value?: string;
  description: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandArgs {
  values: ParsedValues;
  positionals: string[];
  debug: boolean;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "[DIR]"; shown after `t2t <name>`. */
  usage: string;
  /** Paragraphs shown by `t2t <name> --help` under the usage line. */
  description: string;
  options: Record<string, OptionSpec>;
  /** How many positionals are allowed (default 1: the project DIR). */
  maxPositionals?: number;
  /** Examples shown at the end of --help. */
  examples?: string[];
  run(args: CommandArgs, io: CliIO): Promise<number>;
}

/** Options every command has. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  debug: { type: 'boolean', description: 'print stack traces and debug logs' },
};

export function str(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}
