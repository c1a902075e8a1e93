import { FileNameError } from './usecases/import-file.usecase';

/**
 * Whether an import failure refuses the file for good (a bad name, a data source the org lacks,
 * a broken gzip) rather than failing this attempt (a database or transport error, retried).
 */
export function isRefusal(error: unknown): boolean {
  return error instanceof FileNameError || (error as { reason?: string }).reason !== undefined || (error as { code?: string }).code === 'Z_DATA_ERROR';
}
