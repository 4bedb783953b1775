import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { Nullable } from '../../common/validation';

/**
 * The JSON an inbound-email forwarder posts to /v1/webhooks/email/:tenantKey/inbound. A forwarder
 * may send `null` for an optional field it has no value for (the same as leaving it out).
 */
export class InboundEmailDto {
  @ApiProperty({ example: 'Jane Doe <jane.doe@gmail.com>' })
  @IsString()
  @Length(3, 320)
  from!: string;

  @ApiPropertyOptional({ example: 'replies@inbound.acme-staffing.com' })
  @Nullable()
  @IsString()
  @MaxLength(2000)
  to?: string | null;

  @ApiPropertyOptional({ example: 'Re: Confirming your interview' })
  @Nullable()
  @IsString()
  @MaxLength(1000)
  subject?: string | null;

  @ApiPropertyOptional({ example: 'Yes, see you then!' })
  @Nullable()
  @IsString()
  @MaxLength(200_000)
  text?: string | null;

  @ApiProperty({ example: '<CAF=abc123@mail.gmail.com>', description: 'The Message-ID of the email: the idempotency key.' })
  @IsString()
  @Length(3, 998)
  messageId!: string;

  @ApiPropertyOptional({ example: '<0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>' })
  @Nullable()
  @IsString()
  @MaxLength(998)
  inReplyTo?: string | null;
}

export class InboundEmailResultView {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) messageId!: string | null;
  @ApiProperty({ description: 'true when this Message-ID was already recorded (nothing changed).' }) duplicate!: boolean;
  @ApiProperty({ description: 'false when the sender is unknown to the firm (kept for the recruiter).' }) matched!: boolean;
}
