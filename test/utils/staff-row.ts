type Sql = <T = Record<string, unknown>>(query: string, params?: unknown[]) => Promise<T[]>;

/**
 * Inserts a staff account straight into `users` (tests that need many accounts fast). An official is placed in
 * the institution of that country and name, created if missing, as an admin would have done.
 */
export async function insertStaffRow(
  sql: Sql,
  row: {
    email: string;
    passwordHash: string;
    role: string;
    country: string | null;
    institution?: string | null;
    interpreterId: string | null;
  },
): Promise<string> {
  let institutionId: string | null = null;
  if (row.role === 'official') {
    const country = row.country ?? 'GT';
    [{ id: institutionId }] = await sql<{ id: string }>(
      `INSERT INTO institutions (country, name, kind) VALUES ($1, $2, 'court')
       ON CONFLICT (country, name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [country, row.institution ?? 'Test Court'],
    );
    row = { ...row, country };
  }
  const [{ id }] = await sql<{ id: string }>(
    `INSERT INTO users (email, password_hash, role, country, institution_id, interpreter_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [row.email, row.passwordHash, row.role, row.country, institutionId, row.interpreterId],
  );
  return id;
}
