/** JSON schemas shared by the routes (request validation, response serialisation, OpenAPI). */

export const errorSchema = {
  type: 'object',
  description: '错误：稳定的英文代码 + 中文说明',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
  required: ['code', 'message'],
} as const;

export const errors = {
  400: errorSchema,
  413: errorSchema,
  503: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
  429: errorSchema,
} as const;

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: true,
  properties,
  required,
});
const str = { type: 'string' } as const;
const strN = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const intN = { type: ['integer', 'null'] } as const;
const bool = { type: 'boolean' } as const;
const any = {} as const;

export const idParams = obj({ id: { type: 'integer', minimum: 1 } }, ['id']);

export const orgSchema = obj({ id: int, name: str, kind: str, parentId: intN, path: str });
export const userSchema = obj({
  id: int,
  username: str,
  displayName: str,
  role: str,
  orgId: int,
  orgName: str,
  studentId: intN,
  disabled: bool,
});
export const photoSchema = obj({
  id: int,
  studentId: int,
  source: str,
  fileName: str,
  bytes: int,
  sha256: str,
  status: str,
  checks: { type: ['array', 'null'], items: { type: 'object', additionalProperties: true } },
  face: any,
  uploadedAt: str,
  checkedAt: strN,
  humanReview: { description: '人工复核：{ decision: pass|fail, note, by, at } 或 null', ...any },
  reference: { description: '与学信网照片比对（同一人 face、同版 sameShot，含分数）或 null', ...any },
});
export const studentSchema = obj({
  id: int,
  xuehao: str,
  idCard: str,
  name: str,
  orgId: int,
  orgName: str,
  programme: str,
  level: str,
  enrolTerm: str,
  validUntil: strN,
  expired: bool,
  flags: obj({ chsiPhotoMissing: bool, identityDoubtful: bool, continuing: bool }),
  identityStatus: str,
  photo: { anyOf: [{ type: 'null' }, photoSchema] },
  photoLocked: bool,
  hasReference: bool,
  application: { anyOf: [{ type: 'null' }, obj({ id: int, batchId: int, state: str })] },
});
export const warningSchema = obj({ code: str, message: str });
export const applicationSchema = obj({
  id: int,
  studentId: int,
  studentName: str,
  xuehao: str,
  orgId: int,
  orgName: str,
  batchId: int,
  batchName: str,
  state: str,
  stateLabel: str,
  degreeRequested: bool,
  signedAt: strN,
  samePhotoConfirmed: bool,
  referenceOverride: { description: '同版比对不一致仍提交的理由 { reason, by, at } 或 null', ...any },
  photoId: intN,
  registrationNumber: strN,
  lastReason: strN,
  returnedBy: strN,
  submissionCount: int,
  updatedAt: str,
  actions: { type: 'array', items: str },
  warnings: { type: 'array', items: warningSchema },
});
export const auditSchema = obj({
  id: int,
  at: str,
  actorId: intN,
  actorName: str,
  orgId: intN,
  entity: str,
  entityId: int,
  action: str,
  reason: strN,
  before: any,
  after: any,
});
const windowSchema = obj({ start: str, end: str }, ['start', 'end']);
const window2Schema = obj({ start: strN, end: str }, ['start', 'end']);
export const batchInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    firstWindow: windowSchema,
    secondWindow: window2Schema,
    deadline: str,
    collectionDeadline: strN,
  },
} as const;
export const batchSchema = obj({
  id: int,
  name: str,
  orgId: int,
  orgName: str,
  firstWindow: windowSchema,
  secondWindow: window2Schema,
  deadline: str,
  collectionDeadline: strN,
  open: bool,
  openWindow: strN,
  daysLeftInWindow: intN,
  daysUntilDeadline: int,
});
export const certificateSchema = obj({
  id: int,
  studentId: int,
  studentName: str,
  xuehao: str,
  orgId: int,
  orgName: str,
  applicationId: int,
  batchId: int,
  registrationNumber: strN,
  state: str,
  stateLabel: str,
  receivedFrom: strN,
  arrivedAt: strN,
  handedAt: strN,
  confirmedAt: strN,
  handover: {
    anyOf: [
      { type: 'null' },
      obj({
        recipient: str,
        name: str,
        idCard: str,
        at: str,
        handedOverBy: str,
        idChecked: bool,
        signed: bool,
        authorisationNote: strN,
      }),
    ],
  },
  problem: { anyOf: [{ type: 'null' }, obj({ description: str, reportedAt: str, reportedBy: str, escalatedTo: str })] },
});

export const page = (item: unknown) =>
  obj({
    items: { type: 'array', items: item },
    total: int,
    totalExact: bool,
    page: int,
    pageSize: int,
    nextCursor: intN,
  });
export const items = (item: unknown) => obj({ items: { type: 'array', items: item } });
export const pageQuery = {
  page: { type: 'integer', minimum: 1, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
} as const;
export const okSchema = obj({ ok: bool });
export const binary = { type: 'string', format: 'binary' } as const;
export { obj, str, strN, int, intN, bool, any };
