/**
 * The consultant a token speaks for, read from the JWT payload without verifying it.
 * Only used to name the tab-sync lock and to recognise frames meant for someone else;
 * the server alone decides identity.
 */
export function tokenSubject(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    // atob takes base64 without its padding (the "forgiving" decoder), not base64url.
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))),
    );
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : null;
  } catch {
    return null;
  }
}
