import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { Nullable } from '../../common/validation';

/**
 * The JSON an inbound-email forwarder posts to /v1/webhooks/email/:tenantKey/inbound. A forwarder
 * may send `null` for an optional field it has no value for (the same as leaving it out).
 */
export class InboundEmailDto {
  @ApiPropertyOptional({
    description:
      'The whole message as received (RFC 5322 MIME text). When given, everything is read from it (the fields below are ignored; it needs its own From and Message-ID); a delivery status notification (multipart/report) is recorded as a bounce, not a reply.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5_000_000)
  raw?: string;

  @ApiProperty({ example: 'Jane Doe <jane.doe@gmail.com>', description: 'Required unless raw is given.' })
  @ValidateIf((o: InboundEmailDto) => o.raw === undefined || o.from !== undefined)
  @IsString()
  @Length(3, 320)
  from?: string;

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

  @ApiProperty({ example: '<CAF=abc123@mail.gmail.com>', description: 'The Message-ID of the email: the idempotency key. Required unless raw is given.' })
  @ValidateIf((o: InboundEmailDto) => o.raw === undefined || o.messageId !== undefined)
  @IsString()
  @Length(3, 998)
  messageId?: string;

  @ApiPropertyOptional({ example: '<0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>' })
  @Nullable()
  @IsString()
  @MaxLength(998)
  inReplyTo?: string | null;

  @ApiPropertyOptional({ example: '<1f0e…@acme-staffing.com> <0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>', description: 'The References header: matched when In-Reply-To is not one of ours.' })
  @Nullable()
  @IsString()
  @MaxLength(20_000)
  references?: string | null;
}

export class InboundEmailResultView {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) messageId!: string | null;
  @ApiProperty({ description: 'true when this Message-ID was already recorded (nothing changed).' }) duplicate!: boolean;
  @ApiProperty({ description: 'false when the sender is unknown to the firm (kept for the recruiter).' }) matched!: boolean;
  @ApiPropertyOptional({ description: 'Present when the message was a bounce (a DSN): recorded as delivery events, not as a reply.' })
  bounce?: { recipients: number; recorded: number };
}
