import { Field, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

@InputType('NotificationSettingsInput')
export class NotificationSettingsDto {
  @ApiProperty({ example: true, description: 'Email the owning recruiter when a candidate or contact replies.' })
  @Field()
  @IsBoolean({ message: 'replyEmails must be true or false' })
  replyEmails!: boolean;
}

@ObjectType('NotificationSettings')
export class NotificationSettingsView {
  @ApiProperty({ description: 'Email the owning recruiter when a candidate or contact replies (default true).' }) @Field() replyEmails!: boolean;
}
