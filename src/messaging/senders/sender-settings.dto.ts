import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, MaxLength, ValidateBy } from 'class-validator';
import { parseSendgridPublicKey } from '../providers/sendgrid.adapter';
import { IsEmailAddress, trim } from '../../common/person-fields';
import { IsPhone } from '../../common/phone';
import { Nullable } from '../../common/validation';
import { EMAIL_SENDERS, SMS_SENDERS } from '../entities/tenant-sender.entity';
import { EmailSenderEnum, SmsSenderEnum } from '../../graphql/enums';

/** A SendGrid verification key: base64 of an ECDSA P-256 public key (DER SubjectPublicKeyInfo). */
function IsSendgridPublicKey(): PropertyDecorator {
  return ValidateBy({
    name: 'isSendgridPublicKey',
    validator: {
      validate: (value: unknown) => value === null || (typeof value === 'string' && value.length <= 500 && parseSendgridPublicKey(value) !== null),
      defaultMessage: () => 'sendgridWebhookPublicKey must be the base64 verification key SendGrid shows (an ECDSA P-256 public key)',
    },
  });
}

/**
 * PUT /v1/settings/senders: every field is optional. Absent keeps the stored value, null clears
 * it. The Twilio fields go together: an account SID needs an auth token (sent now or stored
 * before) and a messaging service SID or a from-number.
 */
@InputType('UpdateSenderSettingsInput')
export class UpdateSenderSettingsDto {
  @ApiPropertyOptional({ example: 'Acme Staffing', nullable: true, description: 'Display name of automated emails.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\r\n<>"]*$/, { message: 'emailFromName must not contain line breaks, quotes or angle brackets' })
  emailFromName?: string | null;

  @ApiPropertyOptional({ example: 'recruiting@acme-staffing.com', nullable: true })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  emailFromAddress?: string | null;

  @ApiPropertyOptional({ example: 'replies@inbound.acme-staffing.com', nullable: true })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @IsEmailAddress()
  @MaxLength(254)
  emailReplyTo?: string | null;

  @ApiPropertyOptional({ example: 'AC0123456789abcdef0123456789abcdef', nullable: true })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'twilioAccountSid must be AC followed by 32 hex characters' })
  twilioAccountSid?: string | null;

  @ApiPropertyOptional({ description: 'Write-only. Stored encrypted; never returned (only whether it is set and its last 4 characters).', nullable: true })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsString()
  @Length(16, 128, { message: 'twilioAuthToken must be 16 to 128 characters' })
  @Matches(/^\S+$/, { message: 'twilioAuthToken must not contain spaces' })
  twilioAuthToken?: string | null;

  @ApiPropertyOptional({ example: 'MG0123456789abcdef0123456789abcdef', nullable: true })
  @Field(() => String, { nullable: true })
  @Nullable()
  @Transform(trim)
  @Matches(/^MG[0-9a-fA-F]{32}$/, { message: 'twilioMessagingServiceSid must be MG followed by 32 hex characters' })
  twilioMessagingServiceSid?: string | null;

  @ApiPropertyOptional({ example: '+14155550100', nullable: true, description: 'Sending number (E.164), when no messaging service is used.' })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsPhone()
  twilioFrom?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Write-only. The secret your inbound-email forwarder sends in X-Touchpoint-Webhook-Secret. Stored hashed.',
  })
  @Field(() => String, { nullable: true })
  @Nullable()
  @IsString()
  @Length(24, 200, { message: 'inboundEmailSecret must be 24 to 200 characters' })
  inboundEmailSecret?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description: "SendGrid Event Webhook → Signed Event Webhook: the verification key SendGrid shows (base64, an ECDSA P-256 public key). Events are accepted only when signed with it.",
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsSendgridPublicKey()
  sendgridWebhookPublicKey?: string | null;
}

@ObjectType('SenderSettings')
export class SenderSettingsView {
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) emailFromName!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) emailFromAddress!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) emailReplyTo!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) twilioAccountSid!: string | null;
  @ApiProperty() @Field() twilioAuthTokenSet!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The last 4 characters of the stored token.' })
  @Field(() => String, { nullable: true })
  twilioAuthTokenLast4!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) twilioMessagingServiceSid!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) twilioFrom!: string | null;
  @ApiProperty() @Field() inboundEmailSecretSet!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The SendGrid Event Webhook verification key (public).' })
  @Field(() => String, { nullable: true })
  sendgridWebhookPublicKey!: string | null;

  @ApiProperty({ enum: SMS_SENDERS, description: "Which Twilio account SMS goes through: yours, the platform default, or none (simulated)." })
  @Field(() => SmsSenderEnum)
  smsSender!: string;

  @ApiProperty({ enum: EMAIL_SENDERS }) @Field(() => EmailSenderEnum) emailSender!: string;

  @ApiProperty({ description: 'Paste into the Twilio console: Messaging webhook (A message comes in, HTTP POST).' })
  @Field()
  twilioInboundUrl!: string;

  @ApiProperty({ description: 'Status callbacks are set per message; shown for reference.' })
  @Field()
  twilioStatusUrl!: string;

  @ApiProperty({ description: 'Where your inbound-email forwarder posts JSON.' })
  @Field()
  emailInboundUrl!: string;

  @ApiProperty({ description: "Delivery events (bounces, complaints) in Touchpoint's own JSON (X-Touchpoint-Webhook-Secret)." })
  @Field()
  emailEventsUrl!: string;

  @ApiProperty({ description: 'SendGrid → Mail Settings → Event Webhook (signed: set sendgridWebhookPublicKey).' })
  @Field()
  sendgridEventsUrl!: string;

  @ApiProperty({ description: 'SendGrid → Inbound Parse. Replace {inboundEmailSecret} with your secret.' })
  @Field()
  sendgridInboundUrl!: string;

  @ApiProperty({ description: 'Amazon SES notifications: an SNS HTTPS subscription to this URL. Replace {inboundEmailSecret} with your secret.' })
  @Field()
  sesUrl!: string;

  @ApiProperty({ description: 'Postmark webhooks (bounce, spam complaint, delivery, inbound), with basic auth in the URL. Replace {inboundEmailSecret} with your secret.' })
  @Field()
  postmarkUrl!: string;

  @ApiProperty({ nullable: true, type: Date }) @Field(() => Date, { nullable: true }) updatedAt!: Date | null;
}
