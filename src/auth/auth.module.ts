import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ApiKeysController } from '../api-keys/api-keys.controller';
import { ApiKeysResolver } from '../api-keys/api-keys.resolver';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { APP_CONFIG } from '../config/app-config';
import { MessagingModule } from '../messaging/messaging.module';
import type { AppConfig } from '../config/app-config';
import { AuthDirectory } from './auth-directory';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { TenantRateLimit } from './tenant-rate-limit';
import { AuthService } from './auth.service';
import { JwtPassportGuard } from './jwt-passport.guard';
import { JwtStrategy } from './jwt.strategy';
import { TokenService } from './token.service';

@Global()
@Module({
  imports: [
    // The signup's verification email goes through messaging's email driver (AccountMailer).
    MessagingModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AuthDirectory,
    AuthService,
    TokenService,
    JwtStrategy,
    JwtPassportGuard,
    ApiKeysService,
    ApiKeysResolver,
    TenantRateLimit,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [ApiKeysService, AuthDirectory, TenantRateLimit, AuthService],
})
export class AuthModule {}
