/**
 * A schema step. Versions only ever grow; a released migration is never edited, only followed by a
 * new one. Each runs inside the migration transaction, so a failed step leaves no half-applied schema.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}
