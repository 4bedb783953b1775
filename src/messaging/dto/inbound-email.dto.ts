import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';

/** The JSON an inbound-email forwarder posts to /v1/webhooks/email/:tenantKey/inbound. */
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
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  to?: string;

  @ApiPropertyOptional({ example: 'Re: Confirming your interview' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  subject?: string;

  @ApiPropertyOptional({ example: 'Yes, see you then!' })
  @IsOptional()
  @IsString()
  @MaxLength(200_000)
  text?: string;

  @ApiProperty({ example: '<CAF=abc123@mail.gmail.com>', description: 'The Message-ID of the email: the idempotency key. Required unless raw is given.' })
  @ValidateIf((o: InboundEmailDto) => o.raw === undefined || o.messageId !== undefined)
  @IsString()
  @Length(3, 998)
  messageId?: string;

  @ApiPropertyOptional({ example: '<0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>' })
  @IsOptional()
  @IsString()
  @MaxLength(998)
  inReplyTo?: string;

  @ApiPropertyOptional({ example: '<1f0e…@acme-staffing.com> <0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>', description: 'The References header: matched when In-Reply-To is not one of ours.' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  references?: string;
}

export class InboundEmailResultView {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) messageId!: string | null;
  @ApiProperty({ description: 'true when this Message-ID was already recorded (nothing changed).' }) duplicate!: boolean;
  @ApiProperty({ description: 'false when the sender is unknown to the firm (kept for the recruiter).' }) matched!: boolean;
  @ApiPropertyOptional({ description: 'Present when the message was a bounce (a DSN): recorded as delivery events, not as a reply.' })
  bounce?: { recipients: number; recorded: number };
}
