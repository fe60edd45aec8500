/**
 * The consultant a token speaks for, read from the JWT payload without verifying it.
 * Only used to name the tab-sync lock and to recognise frames meant for someone else;
 * the server alone decides identity.
 */
export function tokenSubject(token: string): string | null {
  const sub = claims(token)?.sub;
  return typeof sub === 'string' && sub ? sub : null;
}

/** When a token expires (its `exp`, in ms since the Unix epoch), read the same way; null without one. */
export function tokenExpiry(token: string): number | null {
  const exp = claims(token)?.exp;
  return typeof exp === 'number' && exp > 0 ? exp * 1000 : null;
}

function claims(token: string): { sub?: unknown; exp?: unknown } | null {
  // Anything unreadable (no payload, not base64url, not JSON) has no claims.
  try {
    // atob takes base64 without its padding (the "forgiving" decoder), not base64url.
    const json = atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown; exp?: unknown } | null;
  } catch {
    return null;
  }
}
