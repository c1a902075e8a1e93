/**
 * A schema-level zod message that stays silent when the field is missing, so the
 * per-parse map can say "Required" (zod 4 lets a schema's message win over the parse's).
 */
export const unlessMissing =
  (message: string) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : message;
