import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import type { AccessClaims } from './token.service';

/**
 * Verifies user access tokens: HS256 only (alg:none and RS/HS confusion are refused), with
 * exp, iss and aud checked. Tokens are read from the Authorization header and nowhere else.
 *
 * The secret is handed over as a KeyObject, built once. Given a string, jsonwebtoken first tries
 * to parse it as a PEM public key on every verify (createPublicKey, which throws) before falling
 * back to a secret key: that cost a fifth of the CPU of a simple authenticated GET (bench B5).
 * The key bytes are the UTF-8 of JWT_SECRET, exactly what signing with the string uses.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt's types say string | Buffer; it hands the value to jsonwebtoken untouched,
      // which takes a KeyObject (and skips the per-call key parsing for one).
      secretOrKey: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5 },
    });
  }

  validate(payload: AccessClaims): AccessClaims | false {
    if (payload.typ !== 'access' || typeof payload.sub !== 'string' || typeof payload.tid !== 'string') return false;
    return payload;
  }
}
