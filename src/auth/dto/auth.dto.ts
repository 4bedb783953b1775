import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, IsUUID, Length, MaxLength, Validate } from 'class-validator';
import { IanaTimeZone } from '../../common/iana-time-zone.validator';
import { IsEmailAddress } from '../../common/person-fields';
import { UserView } from '../../users/dto/user.dto';
import { Omittable } from '../../common/validation';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class SignupDto {
  @ApiProperty({ example: 'Acme Staffing' })
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'firmName must be 1 to 200 characters' })
  firmName!: string;

  @ApiProperty({ example: 'Jane Doe' })
  @Transform(trim)
  @IsString()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @ApiProperty({ example: 'jane.doe@acme-staffing.com' })
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12 })
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiPropertyOptional({ example: 'America/New_York', description: 'The firm default IANA time zone (default UTC).' })
  @Omittable()
  @Validate(IanaTimeZone)
  timeZone?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'jane.doe@acme-staffing.com' })
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 200)
  password!: string;

  @ApiPropertyOptional({
    description: 'Only when this email and password sign in to several firms (a 409 lists them): the id of the firm to sign in to.',
  })
  @Omittable()
  @IsUUID('all', { message: 'firmId must be a UUID' })
  firmId?: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token from login or the previous refresh. A browser session sends none: its token is the tp_refresh cookie (with the header Touchpoint-Refresh: cookie).',
  })
  @Omittable()
  @IsString()
  @Length(1, 500)
  refreshToken?: string;
}

export class LogoutDto {
  @ApiProperty({ description: 'The refresh token of the login to sign out.' })
  @IsString()
  @Length(1, 500)
  refreshToken!: string;
}

export class AcceptInviteDto {
  @ApiProperty({ description: 'The one-time invite token.' })
  @IsString()
  @Length(1, 500)
  inviteToken!: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class TokenPairView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires.' }) expiresIn!: number;
  @ApiPropertyOptional({ description: 'Absent when the request asked for the cookie (Touchpoint-Refresh: cookie): the token is then only in the httpOnly tp_refresh cookie.' })
  refreshToken?: string;
  @ApiProperty() refreshExpiresAt!: string;
}

export class SessionView extends TokenPairView {
  @ApiProperty({ type: UserView }) user!: UserView;
}

export class SignupView extends SessionView {
  @ApiProperty({ example: { id: '…', name: 'Acme Staffing', timeZone: 'America/New_York' } })
  tenant!: { id: string; name: string; timeZone: string; webhookKey: string };
}
