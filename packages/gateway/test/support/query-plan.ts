import type Database from 'better-sqlite3';

/**
 * SQLite's plan for a prepared statement, its steps joined by " | ", with every parameter bound to
 * NULL (the plan does not depend on the values).
 */
export function queryPlan(db: Database.Database, statement: { source: string }): string {
  const params = new Array(statement.source.split('?').length - 1).fill(null);
  const steps = db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(...params) as Array<{
    detail: string;
  }>;
  return steps.map((r) => r.detail).join(' | ');
}
