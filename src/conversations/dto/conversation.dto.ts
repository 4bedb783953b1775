import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { Connection, ConnectionArgs } from '../../common/graphql/connection';
import { PageQueryDto } from '../../common/pagination';
import { FollowUpView } from '../../follow-ups/dto/follow-up.dto';
import type { ConversationPerson, ConversationRow, ThreadMessage } from '../../messaging/conversations.query';
import { ConsentStateView } from '../../messaging/dto/consent.dto';
import { CHANNELS, DIRECTIONS } from '../../messaging/domain/channel';
import { PERSON_TYPES } from '../../messaging/domain/person';
import type { PersonType } from '../../messaging/domain/person';
import { REPLY_STATES } from '../../messaging/entities/message.entity';
import { ChannelEnum, DirectionEnum, MessageStatusEnum, PersonTypeEnum, ReplyStateEnum, RuleEnum } from '../../graphql/enums';

@ObjectType('ConversationPerson')
export class ConversationPersonView {
  @ApiProperty({ enum: PERSON_TYPES }) @Field(() => PersonTypeEnum) type!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty() @Field() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) email!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) phone!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The person's IANA zone (null: the firm's)." })
  @Field(() => String, { nullable: true })
  timeZone!: string | null;

  static of(p: ConversationPerson): ConversationPersonView {
    return Object.assign(new ConversationPersonView(), p);
  }
}

@ObjectType('ConversationLastMessage')
export class ConversationLastMessageView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ enum: DIRECTIONS }) @Field(() => DirectionEnum) direction!: string;
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) subject!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The first 280 characters.' })
  @Field(() => String, { nullable: true })
  body!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The rule of the follow-up that sent it ('one_off': a recruiter wrote it)." })
  @Field(() => RuleEnum, { nullable: true })
  rule!: string | null;
}

@ObjectType('ConversationSummary')
export class ConversationSummaryView {
  @ApiProperty({ type: ConversationPersonView }) @Field(() => ConversationPersonView) person!: ConversationPersonView;
  @ApiProperty() @Field() lastMessageAt!: Date;
  @ApiProperty({ description: 'Inbound messages nobody has answered or marked handled.' }) @Field(() => Int) openReplies!: number;
  @ApiPropertyOptional({ nullable: true, type: Date }) @Field(() => Date, { nullable: true }) oldestOpenReplyAt!: Date | null;
  @ApiProperty({ type: ConversationLastMessageView }) @Field(() => ConversationLastMessageView) lastMessage!: ConversationLastMessageView;

  static of(r: ConversationRow): ConversationSummaryView {
    return Object.assign(new ConversationSummaryView(), {
      person: ConversationPersonView.of(r.person),
      lastMessageAt: r.lastMessageAt,
      openReplies: r.openReplies,
      oldestOpenReplyAt: r.oldestOpenReplyAt,
      lastMessage: Object.assign(new ConversationLastMessageView(), r.last),
    });
  }
}

@ObjectType('ConversationMessage')
export class ConversationMessageView {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id!: string;
  @ApiProperty({ enum: DIRECTIONS }) @Field(() => DirectionEnum) direction!: string;
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty() @Field(() => MessageStatusEnum) status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) subject!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) body!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: REPLY_STATES }) @Field(() => ReplyStateEnum, { nullable: true }) replyState!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) @Field(() => ID, { nullable: true }) followUpId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The follow-up rule that sent it: a playbook rule (automated) or 'one_off'." })
  @Field(() => RuleEnum, { nullable: true })
  rule!: string | null;
  @ApiProperty({ description: 'Sent by the playbook, not written by a person.' }) @Field() automated!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The recruiter who wrote a one-off message.' })
  @Field(() => String, { nullable: true })
  authorName!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @ApiProperty() @Field() createdAt!: Date;

  static of(m: ThreadMessage): ConversationMessageView {
    return Object.assign(new ConversationMessageView(), { ...m, automated: m.rule !== null && m.rule !== 'one_off' });
  }
}

@ObjectType('ConversationReply')
export class ConversationReplyView {
  @ApiPropertyOptional({ nullable: true, enum: CHANNELS, description: 'The channel a reply (POST /v1/messages without a channel) would go out on now.' })
  @Field(() => ChannelEnum, { nullable: true })
  channel!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The address it would go to.' })
  @Field(() => String, { nullable: true })
  to!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Why no reply can be sent (channel null), in words.' })
  @Field(() => String, { nullable: true })
  blockedReason!: string | null;
}

@ObjectType('ConversationConsent')
export class ConversationConsentView {
  @ApiProperty({ type: ConsentStateView }) @Field(() => ConsentStateView) email!: ConsentStateView;
  @ApiProperty({ type: ConsentStateView }) @Field(() => ConsentStateView) sms!: ConsentStateView;
}

@ObjectType('Conversation')
export class ConversationView {
  @ApiProperty({ type: ConversationPersonView }) @Field(() => ConversationPersonView) person!: ConversationPersonView;
  @ApiProperty({ type: [ConversationMessageView], description: 'The latest 200 messages in and out, both channels, oldest first.' })
  @Field(() => [ConversationMessageView])
  messages!: ConversationMessageView[];
  @ApiProperty({ description: 'Older messages exist (GET /v1/messages lists them all).' }) @Field() earlierMessages!: boolean;
  @ApiProperty() @Field(() => Int) openReplies!: number;
  @ApiProperty({ type: ConversationReplyView }) @Field(() => ConversationReplyView) reply!: ConversationReplyView;
  @ApiProperty({ type: ConversationConsentView }) @Field(() => ConversationConsentView) consent!: ConversationConsentView;
  @ApiProperty({ type: [FollowUpView], description: 'Follow-ups planned to this person (planned or awaiting approval), soonest first.' })
  @Field(() => [FollowUpView])
  upcoming!: FollowUpView[];
}

export class ConversationPageView {
  @ApiProperty({ type: [ConversationSummaryView] }) items!: ConversationSummaryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

@ObjectType('ConversationConnection')
export class ConversationConnection extends Connection(ConversationSummaryView, 'ConversationSummary') {}

export class ConversationsQueryDto extends PageQueryDto {}

@ArgsType()
export class ConversationsArgs extends ConnectionArgs {}

/** REST path parameters of one conversation. */
export class ConversationParamsDto {
  @ApiProperty({ enum: PERSON_TYPES })
  @IsIn(PERSON_TYPES, { message: 'personType must be candidate or contact' })
  personType!: PersonType;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'personId must be a UUID' })
  personId!: string;
}

@ArgsType()
export class ConversationArgs {
  @Field(() => PersonTypeEnum)
  @IsIn(PERSON_TYPES, { message: 'personType must be candidate or contact' })
  personType!: PersonType;

  @Field(() => ID)
  @IsUUID('all', { message: 'personId must be a UUID' })
  personId!: string;
}
