import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ACTOR_KINDS } from '../../auth/principal';
import type { ConsentState, PersonConsent } from '../consent/consent.service';
import { CHANNELS } from '../domain/channel';
import { PERSON_TYPES } from '../domain/person';
import type { Channel } from '../domain/channel';
import { CONSENT_SOURCES, CONSENT_STATUSES } from '../entities/consent.entity';
import type { ConsentEventEntity, ConsentStatus } from '../entities/consent.entity';
import { ActorKindEnum, ChannelEnum, ConsentSourceEnum, ConsentStatusEnum, PersonTypeEnum } from '../../graphql/enums';

@InputType('SetConsentInput')
export class SetConsentDto {
  @ApiProperty({ enum: CHANNELS })
  @Field(() => ChannelEnum)
  @IsIn(CHANNELS, { message: 'channel must be email or sms' })
  channel!: Channel;

  @ApiProperty({ enum: CONSENT_STATUSES })
  @Field(() => ConsentStatusEnum)
  @IsIn(CONSENT_STATUSES, { message: 'status must be opted_in or opted_out' })
  status!: ConsentStatus;
}

@ObjectType('ConsentState')
export class ConsentStateView {
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty({ enum: CONSENT_STATUSES }) @Field(() => ConsentStatusEnum) status!: string;
  @ApiProperty({ enum: CONSENT_SOURCES, nullable: true, description: 'null: never changed (opted in by default).' })
  @Field(() => ConsentSourceEnum, { nullable: true })
  source!: string | null;
  @ApiProperty({ nullable: true, type: Date }) @Field(() => Date, { nullable: true }) changedAt!: Date | null;

  static of(s: ConsentState): ConsentStateView {
    return Object.assign(new ConsentStateView(), s);
  }
}

@ObjectType('ConsentEvent')
export class ConsentEventView {
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) channel!: string;
  @ApiProperty({ enum: CONSENT_STATUSES }) @Field(() => ConsentStatusEnum) status!: string;
  @ApiProperty({ enum: CONSENT_SOURCES }) @Field(() => ConsentSourceEnum) source!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The message that caused it (keyword, provider error).' })
  @Field(() => ID, { nullable: true })
  messageId!: string | null;
  @ApiProperty({ nullable: true, enum: ACTOR_KINDS }) @Field(() => ActorKindEnum, { nullable: true }) actorKind!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) @Field(() => ID, { nullable: true }) actorId!: string | null;
  @ApiProperty() @Field() at!: Date;

  static of(e: ConsentEventEntity): ConsentEventView {
    return Object.assign(new ConsentEventView(), {
      channel: e.channel,
      status: e.status,
      source: e.source,
      messageId: e.messageId,
      actorKind: e.actorKind,
      actorId: e.actorId,
      at: e.createdAt,
    });
  }
}

@ObjectType('PersonConsent')
export class PersonConsentView {
  @ApiProperty({ enum: PERSON_TYPES }) @Field(() => PersonTypeEnum) personType!: string;
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) personId!: string;
  @ApiProperty({ type: ConsentStateView }) @Field(() => ConsentStateView) email!: ConsentStateView;
  @ApiProperty({ type: ConsentStateView }) @Field(() => ConsentStateView) sms!: ConsentStateView;
  @ApiProperty({ type: [ConsentEventView], description: 'Every change, oldest first.' })
  @Field(() => [ConsentEventView])
  history!: ConsentEventView[];

  static of(c: PersonConsent): PersonConsentView {
    return Object.assign(new PersonConsentView(), {
      personType: c.person.type,
      personId: c.person.id,
      email: ConsentStateView.of(c.email),
      sms: ConsentStateView.of(c.sms),
      history: c.history.map(ConsentEventView.of),
    });
  }
}
