import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import type { AccessClaims } from './token.service';

/**
 * Verifies user access tokens: HS256 only (alg:none and RS/HS confusion are refused), with
 * exp, iss and aud checked. Tokens are read from the Authorization header and nowhere else.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
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
