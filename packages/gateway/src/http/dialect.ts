/** Paths under this prefix speak LinkedIn's dialect: its error shape and its response headers. */
const LINKEDIN_PREFIX = '/rest/';

export function speaksLinkedIn(path: string): boolean {
  return path.startsWith(LINKEDIN_PREFIX);
}
