import type { FastifyInstance } from 'fastify';
import { registerSystemRoutes } from './system.js';
import { registerAuthRoutes } from './auth.js';
import { registerOrgRoutes } from './orgs.js';
import { registerStudentRoutes } from './students.js';
import { registerPhotoRoutes } from './photos.js';
import { registerBatchRoutes } from './batches.js';
import { registerApplicationRoutes } from './applications.js';
import { registerEventRoutes } from './events.js';
import { registerCertificateRoutes } from './certificates.js';
import { registerCollectionRoutes } from './collection.js';
import { registerAuditRoutes } from './audit.js';
import { registerReportRoutes } from './reports.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerImportJobRoutes } from './import-jobs.js';
import { registerStudentAccountRoutes } from './student-accounts.js';
import { registerBulkWorkRoutes } from './bulk-work.js';
import { registerExportJobRoutes } from './export-jobs.js';
import { registerFaceJobRoutes } from './face-jobs.js';

/** Every HTTP route, one module per resource. */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  for (const register of [
    registerSystemRoutes,
    registerAuthRoutes,
    registerOrgRoutes,
    registerStudentRoutes,
    registerPhotoRoutes,
    registerBatchRoutes,
    registerApplicationRoutes,
    registerEventRoutes,
    registerCertificateRoutes,
    registerCollectionRoutes,
    registerAuditRoutes,
    registerReportRoutes,
    registerNotificationRoutes,
    registerImportJobRoutes,
    registerStudentAccountRoutes,
    registerBulkWorkRoutes,
    registerExportJobRoutes,
    registerFaceJobRoutes,
  ])
    await register(app);
}
