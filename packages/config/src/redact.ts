// A rejected value is often a real credential with a typo in it; printing it would put the
// secret in terminal scrollback, CI logs and bug reports.
const SECRET_NAME = /(^|_)(SECRET|TOKEN|KEY|PASSWORD|PASSWD|PASS|CREDENTIALS?)(_|$)/i;
// A lifetime or a count of tokens (ACCESS_TOKEN_TTL_MINUTES) is a quantity, not a credential.
const QUANTITY_NAME = /_(MS|SECONDS|MINUTES|HOURS|DAYS)$/i;

/** Whether a variable's value is a credential that must never appear in a message. */
export function isSecretVariable(variable: string): boolean {
  return SECRET_NAME.test(variable) && !QUANTITY_NAME.test(variable);
}

/**
 * How a rejected value may appear in an error message: undefined for a secret variable, else the
 * value with any user:password@ part of a URL hidden.
 */
export function printableValue(variable: string, value: string): string | undefined {
  if (isSecretVariable(variable)) return undefined;
  // The last "@" ends the userinfo even when an unencoded "@" sits inside the password.
  const at = value.lastIndexOf("@");
  if (at === -1) return value;
  const scheme = value.indexOf("://");
  const start = scheme === -1 || scheme > at ? 0 : scheme + 3;
  return `${value.slice(0, start)}***${value.slice(at)}`;
}
