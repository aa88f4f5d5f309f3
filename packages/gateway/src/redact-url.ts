/** Query parameters that carry a secret in a connection URL (libpq's and pg's names). */
const SECRET_PARAMS = /^(password|pass|pwd|sslpassword|token|secret|apikey|api_key)$/i;

/**
 * The user-info part of a string that should be one URL but does not parse: from "//" to its last
 * "@" before a "/", "?" or "#", spaces included (one URL has no spaces to stop at).
 */
const USER_INFO_IN_URL = /\/\/[^/?#]*@/;

/**
 * The user-info part of every URL in a text: from "//" to the last "@" before the next space,
 * "/", "?" or "#". Greedy on purpose, so a password with an unescaped "@" is masked whole.
 */
const USER_INFO_IN_TEXT = /\/\/[^\s/?#]*@/g;

/**
 * A URL fit to print: any password in it (`user:password@`, even with an unescaped "@" in the
 * password, or `?password=…`) replaced by ***. A string that does not parse as a URL has its
 * user-info masked all the same.
 */
export function redactUrlCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(USER_INFO_IN_URL, '//***@');
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '***');
  }
  // URL escapes "*" in the query as %2A; put it back so the mask reads as one.
  return parsed.href.replaceAll('%2A%2A%2A', '***');
}

/**
 * Free text (an error message from fetch or a database driver) with the user-info of every URL in
 * it replaced by ***: such messages quote the URL they failed on, password included.
 */
export function maskCredentialsInText(text: string): string {
  return text.replace(USER_INFO_IN_TEXT, '//***@');
}
