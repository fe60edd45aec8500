/**
 * Bearer JWTs, HS256 only. The consultant comes from `sub` of a verified token and from
 * nowhere else. Verification runs on the injected clock, so expiry is exact in tests too.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from './clock.js';
import type { AuthFailureReason, Metrics } from './metrics.js';

export interface Principal {
  consultantId: string;
  /** `exp` in ms since the epoch. */
  expiresAt: number;
}

export type AuthResult =
  { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason; message: string };

const MESSAGES: Record<AuthFailureReason, string> = {
  missing: 'A token is required',
  malformed: 'The token is malformed',
  'bad-signature': 'The token signature or algorithm is not accepted',
  expired: 'The token has expired',
  'unknown-consultant': 'The token names no known consultant',
};

/** Verified tokens kept, so a reconnect storm does not verify every signature again. */
const VERIFIED_CACHE_SIZE = 20_000;

export class Auth {
  private readonly key: Uint8Array;
  /**
   * Token -> its claims, for tokens whose signature checked out. The same bytes always verify
   * the same way under one secret; only time can change the answer, so expiry is checked on
   * every use. Bounded: the oldest entry goes first.
   */
  private readonly verified = new Map<string, { sub: string; exp: number; nbf: number | undefined }>();

  constructor(
    secret: string,
    private readonly clock: Clock,
    private readonly consultantExists: (id: string) => Promise<boolean>,
    private readonly metrics: Metrics,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  private fail(reason: AuthFailureReason, message = MESSAGES[reason]): AuthResult {
    this.metrics.authFailed(reason);
    return { ok: false, reason, message };
  }

  /** Verifies the value of an `Authorization` header. */
  async verifyHeader(header: string | undefined | null): Promise<AuthResult> {
    if (!header) return this.fail('missing', 'A Bearer token is required');
    const match = /^Bearer +([^\s]+)\s*$/i.exec(header);
    if (!match) return this.fail('malformed');
    return this.verify(match[1]!);
  }

  async verify(token: string | undefined | null): Promise<AuthResult> {
    if (!token) return this.fail('missing');
    const known = this.verified.get(token);
    if (known) {
      const now = this.clock.now() / 1000;
      if (known.exp <= now) return this.fail('expired');
      if (known.nbf !== undefined && known.nbf > now) return this.fail('malformed');
      if (!(await this.consultantExists(known.sub))) return this.fail('unknown-consultant');
      return { ok: true, principal: { consultantId: known.sub, expiresAt: known.exp * 1000 } };
    }
    let sub: unknown;
    let exp: unknown;
    let nbf: unknown;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        // Only what we sign with: `alg: none` and every other algorithm are refused.
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(this.clock.now()),
      });
      sub = payload.sub;
      exp = payload.exp;
      nbf = payload.nbf;
    } catch (error) {
      return this.fail(reasonOf(error));
    }
    if (typeof sub !== 'string' || typeof exp !== 'number') return this.fail('malformed');
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { sub, exp, nbf: typeof nbf === 'number' ? nbf : undefined });
    if (!(await this.consultantExists(sub))) return this.fail('unknown-consultant');
    return { ok: true, principal: { consultantId: sub, expiresAt: exp * 1000 } };
  }

  async sign(consultantId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(consultantId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: exp * 1000 };
  }
}

function reasonOf(error: unknown): AuthFailureReason {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed) {
    return 'bad-signature';
  }
  return 'malformed';
}
