import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { CHANNELS } from '../../messaging/domain/channel';
import type { Channel } from '../../messaging/domain/channel';
import { AUDIENCES } from '../domain/templates';
import type { Audience } from '../domain/templates';
import { RULE_KEYS } from '../rules';
import type { RuleKey } from '../rules';
import { Omittable } from '../../common/validation';
import { AudienceEnum, ChannelEnum, RuleEnum, TemplateVariableEnum } from '../../graphql/enums';

@InputType('TemplateDraftInput')
export class TemplateDraftDto {
  @ApiPropertyOptional({ example: 'Any news on {{candidateName}}?', description: 'Email only.' })
  @Field(() => String, { nullable: true })
  @Omittable()
  @IsString({ message: 'template.subject must be text' })
  @Length(1, 200, { message: 'template.subject must be 1 to 200 characters' })
  subject?: string;

  @ApiProperty({ example: 'Hi {{recipientFirstName}}, any news on {{candidateName}}?' })
  @Field()
  @IsString({ message: 'template.body must be text' })
  @Length(1, 5000, { message: 'template.body must be 1 to 5000 characters' })
  body!: string;
}

@InputType('PreviewTemplateInput')
export class TemplatePreviewDto {
  @ApiProperty({ enum: RULE_KEYS }) @Field(() => RuleEnum, { description: 'A playbook rule (not one_off).' }) @IsIn(RULE_KEYS, { message: `rule must be one of: ${RULE_KEYS.join(', ')}` }) rule!: RuleKey;
  @ApiProperty({ enum: CHANNELS }) @Field(() => ChannelEnum) @IsIn(CHANNELS, { message: 'channel must be email or sms' }) channel!: Channel;
  @ApiProperty({ enum: AUDIENCES }) @Field(() => AudienceEnum) @IsIn(AUDIENCES, { message: 'audience must be candidate or contact' }) audience!: Audience;

  @ApiProperty({ type: TemplateDraftDto })
  @Field(() => TemplateDraftDto)
  @IsDefined({ message: 'template is required' })
  @IsObject({ message: 'template must be an object with body (and subject for email)' })
  @ValidateNested()
  @Type(() => TemplateDraftDto)
  template!: TemplateDraftDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'Render from this candidate (their latest lead and interview); without one, from a sample.' })
  @Field(() => ID, { nullable: true })
  @Omittable()
  @IsUUID('all', { message: 'candidateId must be a UUID' })
  candidateId?: string;
}

@ObjectType('TemplatePreview')
export class TemplatePreviewView {
  @ApiPropertyOptional({ nullable: true }) @Field(() => String, { nullable: true }) subject!: string | null;
  @ApiProperty({ description: 'The rendered text; an SMS as the first text to a person reads, with the opt-out line.' }) @Field() body!: string;
  @ApiPropertyOptional({ nullable: true, description: 'SMS: how many segments it takes.' }) @Field(() => Int, { nullable: true }) segments!: number | null;
  @ApiPropertyOptional({ nullable: true, enum: ['GSM-7', 'UCS-2'] }) @Field(() => String, { nullable: true }) encoding!: string | null;
  @ApiProperty({ type: [String], description: 'Variables the template uses that the candidate has no value for: shown from a sample.' })
  @Field(() => [TemplateVariableEnum])
  sampled!: string[];
}
