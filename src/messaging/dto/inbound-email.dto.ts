import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** The JSON an inbound-email forwarder posts to /v1/webhooks/email/:tenantKey/inbound. */
export class InboundEmailDto {
  @ApiProperty({ example: 'Jane Doe <jane.doe@gmail.com>' })
  @IsString()
  @Length(3, 320)
  from!: string;

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

  @ApiProperty({ example: '<CAF=abc123@mail.gmail.com>', description: 'The Message-ID of the email: the idempotency key.' })
  @IsString()
  @Length(3, 998)
  messageId!: string;

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
}
