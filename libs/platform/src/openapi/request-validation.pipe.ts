import { createZodValidationPipe } from 'nestjs-zod';

/**
 * Parses every `@Body()`, `@Query()` and `@Param()` typed with a zod DTO (`createZodDto`) before the
 * route runs. The ZodError leaves as it is, so ProblemFilter answers it as every validation problem
 * (`validation`, one `<path>: <reason>` line per issue); values of other types pass untouched.
 */
export const RequestValidationPipe = createZodValidationPipe({ createValidationException: (error) => (error instanceof Error ? error : new Error(String(error))) });
