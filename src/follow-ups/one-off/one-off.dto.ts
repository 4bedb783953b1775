import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { Omittable } from '../../common/validation';
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { ChannelEnum, FollowUpStatusEnum } from '../../graphql/enums';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

@InputType('SendMessageInput')
export class SendMessageDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The candidate (exactly one of candidateId and contactId).' })
  @Field(() => ID, { nullable: true })
  @Omittable()
  @IsUUID('all', { message: 'candidateId must be a UUID' })
  candidateId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The contact (exactly one of candidateId and contactId).' })
  @Field(() => ID, { nullable: true })
  @Omittable()
  @IsUUID('all', { message: 'contactId must be a UUID' })
  contactId?: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Omit to match their channel (they texted: SMS). A named channel that is blocked is refused, never swapped.' })
  @Field(() => ChannelEnum, { nullable: true })
  @Omittable()
  @IsIn(CHANNELS, { message: 'channel must be email or sms' })
  channel?: Channel;

  @ApiPropertyOptional({ example: 'Re: the Globex interview', description: 'Email only.' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @Transform(trim)
  @IsString({ message: 'subject must be text' })
  @Length(1, 200, { message: 'subject must be 1 to 200 characters' })
  subject?: string;

  @ApiProperty({ example: 'Thanks Jane, Thursday at 2 works. Talk then!', description: 'The message (SMS: at most 1600 characters).' })
  @Field()
  @Transform(trim)
  @IsString({ message: 'text must be text' })
  @Length(1, 5000, { message: 'text must be 1 to 5000 characters' })
  text!: string;
}

@ObjectType('OneOffMessage')
export class OneOffMessageView {
  @ApiProperty({ format: 'uuid', description: 'The follow-up that carries it (GET /v1/follow-ups/{id}).' }) @Field(() => ID) followUpId!: string;
  @ApiProperty({ enum: ['planned'] }) @Field(() => FollowUpStatusEnum, { description: 'The status of its follow-up: planned.' }) status!: string;
  @ApiProperty({ enum: CHANNELS, description: 'The channel it is expected to go on (consent is checked again at send time).' }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty({ description: 'When it goes out: now, or when the sending window opens.' }) @Field() goesOutAt!: Date;
}
