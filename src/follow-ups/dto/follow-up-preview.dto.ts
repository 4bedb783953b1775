import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS } from '../../messaging/domain/channel';
import { PERSON_TYPES } from '../../messaging/domain/person';
import { PREVIEW_OUTCOMES } from '../compose/draft';
import { ChannelEnum, PersonTypeEnum, PreviewOutcomeEnum } from '../../graphql/enums';

@ObjectType('LocalTime', { description: 'An instant as a person reads it: in their time zone.' })
export class LocalTimeView {
  @ApiProperty({ example: 'America/New_York' }) @Field() zone!: string;
  @ApiProperty({ example: 'Tue, Dec 8, 9:00 AM EST' }) @Field() text!: string;
}

@ObjectType('DueLocal')
export class DueLocalView {
  @ApiProperty({ type: LocalTimeView, description: "In the recipient's zone (their own, else the firm's)." }) @Field(() => LocalTimeView) recipient!: LocalTimeView;
  @ApiProperty({ type: LocalTimeView, description: "In the recruiter's zone (the firm's)." }) @Field(() => LocalTimeView) recruiter!: LocalTimeView;
}

@ObjectType('PreviewRecipient')
export class PreviewRecipientView {
  @ApiProperty({ enum: PERSON_TYPES }) @Field(() => PersonTypeEnum) type!: string;
  @ApiProperty() @Field(() => ID) id!: string;
  @ApiProperty({ example: 'Hank Hiring' }) @Field() name!: string;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) email!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) phone!: string | null;
}

@ObjectType('FollowUpPreview', {
  description:
    'What this follow-up would be if it went out now, composed from the current data by the same code that sends it: channel and why, to whom, the rendered text, when in local time.',
})
export class FollowUpPreviewView {
  @ApiProperty({ enum: PREVIEW_OUTCOMES, description: 'send: it would go out; skip: nobody reachable or no text; cancel: the data no longer calls for it; task: it becomes a call task; fail: its text cannot be rendered.' })
  @Field(() => PreviewOutcomeEnum)
  outcome!: string;
  @ApiPropertyOptional({ enum: CHANNELS, nullable: true, description: 'The channel it would use now.' })
  @Field(() => ChannelEnum, { nullable: true })
  channel!: string | null;
  @ApiProperty({ example: 'they last wrote by SMS', description: 'Why that channel (last inbound, preferred, the default, a fallback), or why none.' })
  @Field()
  channelReason!: string;
  @ApiPropertyOptional({ nullable: true, description: 'Why it would not go out as a message (skip, cancel, task, fail).' })
  @Field(() => String, { nullable: true })
  skipReason!: string | null;
  @ApiPropertyOptional({ type: PreviewRecipientView, nullable: true }) @Field(() => PreviewRecipientView, { nullable: true }) recipient!: PreviewRecipientView | null;
  @ApiPropertyOptional({ nullable: true, description: 'The email address or phone number it would go to.' })
  @Field(() => String, { nullable: true })
  address!: string | null;
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) subject!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'The text exactly as it would reach the person (for a first SMS, with the opt-out line).' })
  @Field(() => String, { nullable: true })
  body!: string | null;
  @ApiProperty({ description: 'When it would go out: its due time, not before now, moved into the sending window of that channel.' }) @Field() dueAt!: Date;
  @ApiProperty({ type: DueLocalView }) @Field(() => DueLocalView) dueLocal!: DueLocalView;
  @ApiProperty() @Field() requiresApproval!: boolean;
  @ApiProperty({ description: 'A recruiter edited its text: it goes as written.' }) @Field() edited!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The firm's template variant it would use (the same one the send uses), or null." })
  @Field(() => String, { nullable: true })
  variant!: string | null;
}
