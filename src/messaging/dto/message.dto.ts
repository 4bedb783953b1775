import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { PageQueryDto } from '../../common/pagination';
import { IdFilter, listInputs, OneOfFilter } from '../../common/list-filters';
import { CHANNELS, DIRECTIONS } from '../domain/channel';
import type { Channel, Direction } from '../domain/channel';
import { PERSON_TYPES } from '../domain/person';
import { MESSAGE_PROVIDERS, MESSAGE_STATUSES, REPLY_STATES } from '../entities/message.entity';
import type { MessageEntity, MessageStatus } from '../entities/message.entity';
import { ChannelEnum, DirectionEnum, MessageProviderEnum, MessageStatusEnum, PersonTypeEnum, ReplyStateEnum } from '../../graphql/enums';

@ObjectType('MessagePerson')
export class MessagePersonView {
  @ApiProperty({ enum: PERSON_TYPES }) @Field(() => PersonTypeEnum) type!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
}

@ObjectType('Message')
export class MessageView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ enum: DIRECTIONS }) @Field(() => DirectionEnum) direction!: string;
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) @Field(() => MessageStatusEnum) status!: string;
  @ApiProperty({ type: MessagePersonView, nullable: true, description: 'null for an inbound message from an unknown sender.' })
  @Field(() => MessagePersonView, { nullable: true })
  person!: MessagePersonView | null;
  @ApiProperty({ description: 'false for an inbound message from a sender unknown to the firm.' }) @Field() matched!: boolean;
  @ApiProperty({ enum: MESSAGE_PROVIDERS }) @Field(() => MessageProviderEnum) provider!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Twilio SID or SMTP Message-ID.' })
  @Field(() => String, { nullable: true })
  providerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) from!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) to!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) subject!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) body!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) errorCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @ApiProperty({ nullable: true, type: String }) @Field(() => String, { nullable: true }) inReplyTo!: string | null;
  @ApiProperty({ nullable: true, enum: REPLY_STATES, description: 'Inbound only: whether a recruiter has dealt with it.' })
  @Field(() => ReplyStateEnum, { nullable: true })
  replyState!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) @Field(() => ID, { nullable: true }) followUpId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Email: the lead its conversation (thread) is about; a reply inherits it from the email it answers.' })
  @Field(() => ID, { nullable: true })
  leadId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) @Field(() => ID, { nullable: true }) userId!: string | null;
  @ApiProperty() @Field() createdAt!: Date;
  @ApiProperty() @Field() updatedAt!: Date;

  static of(m: MessageEntity): MessageView {
    const v = new MessageView();
    const person = m.candidateId ? { type: 'candidate', id: m.candidateId } : m.contactId ? { type: 'contact', id: m.contactId } : null;
    Object.assign(v, {
      id: m.id,
      direction: m.direction,
      channel: m.channel,
      status: m.status,
      person: person ? Object.assign(new MessagePersonView(), person) : null,
      matched: m.matched,
      provider: m.provider,
      providerId: m.providerId,
      from: m.fromAddress,
      to: m.toAddress,
      subject: m.subject,
      body: m.body,
      errorCode: m.errorCode,
      errorMessage: m.errorMessage,
      inReplyTo: m.inReplyTo,
      replyState: m.replyState,
      followUpId: m.followUpId,
      leadId: m.threadKey?.startsWith('lead:') ? m.threadKey.slice('lead:'.length) : null,
      userId: m.userId,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
    return v;
  }
}

export interface MessageFilter {
  candidateId?: string;
  contactId?: string;
  channel?: Channel;
  direction?: Direction;
  status?: MessageStatus;
}

/** The filters of GET /v1/messages and of messages(…): one definition for both. */
@ArgsType()
export class MessageFilterDto implements MessageFilter {
  @IdFilter()
  candidateId?: string;

  @IdFilter()
  contactId?: string;

  @OneOfFilter(ChannelEnum, 'channel must be email or sms')
  channel?: Channel;

  @OneOfFilter(DirectionEnum, 'direction must be in or out')
  direction?: Direction;

  @OneOfFilter(MessageStatusEnum)
  status?: MessageStatus;
}

const lists = listInputs(MessageFilterDto);

/** GET /v1/messages?…&limit=…&cursor=… */
export class ListMessagesQueryDto extends lists.Query {}

/** messages(…, first: …, after: …) */
@ArgsType()
export class MessagesArgs extends lists.Args {}

@ObjectType('MessageConnection')
export class MessageConnection extends Connection(MessageView, 'Message') {}

export class MessagePageView {
  @ApiProperty({ type: [MessageView] }) items!: MessageView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
