import type { OpenAPIObject } from '@nestjs/swagger';
import { describeService } from '@audience-hub/platform';
import { imsModules } from '../../apps/ims/src/modules';
import { imsService } from '../../apps/ims/src/service';
import { idReconciliationModules } from '../../apps/id-reconciliation/src/modules';
import { idReconciliationService } from '../../apps/id-reconciliation/src/service';
import { audienceImportModules } from '../../apps/audience-import/src/modules';
import { audienceImportService } from '../../apps/audience-import/src/service';
import { audienceExportModules } from '../../apps/audience-export/src/modules';
import { audienceExportService } from '../../apps/audience-export/src/service';

/** The four services, as docs/openapi/<name>.json documents them. */
export const SERVICES = [
  { descriptor: imsService, modules: imsModules },
  { descriptor: idReconciliationService, modules: idReconciliationModules },
  { descriptor: audienceImportService, modules: audienceImportModules },
  { descriptor: audienceExportService, modules: audienceExportModules },
];

/** The committed form: two-space JSON and a final newline. */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export { describeService };
