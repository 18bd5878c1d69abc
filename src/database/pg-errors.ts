/** PostgreSQL's SQLSTATE codes that Puente acts on (Appendix A of the PostgreSQL manual). */
export const PG = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  EXCLUSION_VIOLATION: '23P01',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  /** Puente's own (matching_new_request): a return code that is unknown, used or expired. */
  RETURN_CODE_REFUSED: 'PR001',
} as const;

/** The SQLSTATE of an error from pg or from TypeORM (which keeps pg's error as `driverError`), if it has one. */
export const pgCode = (e: unknown): string | undefined => {
  const err = e as { code?: string; driverError?: { code?: string } } | null;
  return err?.driverError?.code ?? err?.code;
};

/** The constraint an integrity error names (`interpretation_requests_target_language_id_fkey`), if it names one. */
export const pgConstraint = (e: unknown): string | undefined => {
  const err = e as { constraint?: string; driverError?: { constraint?: string } } | null;
  return err?.driverError?.constraint ?? err?.constraint;
};
