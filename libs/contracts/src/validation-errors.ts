import type { z } from 'zod';

// Turns zod issues into the one-line strings that travel in rejections and DLQ reasons,
// e.g. `data.added[3]: ECID must be exactly 38 decimal digits` or `orgid: Required`.

/** Per-parse error map: a missing field reads "Required" rather than zod's type message. */
export const parseParams = {
  error: (issue: { code?: string; input?: unknown }) => (issue.input === undefined && issue.code !== 'custom' ? 'Required' : undefined),
};

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => `${formatPath(issue.path, prefix) || '(event)'}: ${issue.message}`);
}

/** One line: the first error, and how many more there are. */
export function summarize(what: string, errors: readonly string[]): string {
  if (errors.length === 0) return what;
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
  return `${what}: ${errors[0]}${more}`.replace(/[\r\n]+/g, ' ');
}
