import type { Kysely, Migration } from 'kysely';

/**
 * Human review and the 同版 gate (人工复核与同版比对):
 * - photos: a person's decision on a photo the engine sent to review (pass/fail, note, who, when) — the check
 *   results stay as they were; and the cached comparison with the 学信网 reference photo (同一人 / 同版 with scores),
 *   so review lists show it without a face analysis per row;
 * - applications: the recorded reason when a photo that compares as another person or shot is submitted anyway.
 */
export const reviewMigrations: Record<string, Migration> = {
  '007_photo_review_and_reference': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      for (const col of ['review_decision', 'review_note', 'reviewed_by_name', 'reviewed_at', 'reference_json'])
        await db.schema.alterTable('photos').addColumn(col, 'text').execute();
      await db.schema.alterTable('photos').addColumn('reviewed_by', 'integer').execute();
      for (const col of ['reference_override_reason', 'reference_override_by_name', 'reference_override_at'])
        await db.schema.alterTable('applications').addColumn(col, 'text').execute();
    },
  },
};
