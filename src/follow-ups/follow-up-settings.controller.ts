import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsInt, IsObject } from 'class-validator';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { AppException } from '../common/app.exception';
import type { FollowUpPolicy } from './rules/policy';
import { PreviewTemplateUseCase } from './compose/template-preview.usecase';
import { TemplatePreviewDto, TemplatePreviewView } from './dto/template-preview.dto';
import { FollowUpSettingsService } from './follow-up-settings.service';
import type { SendingSettings } from './follow-up-settings.service';
import { Omittable } from '../common/validation';
import { SMS_SENDERS } from '../messaging/entities/tenant-sender.entity';

export class UpdateSendingDto {
  @ApiPropertyOptional({ example: { sms: { start: '09:00', end: '20:00' }, businessDaysOnly: true } })
  @Omittable()
  @IsObject({ message: 'windows must be an object' })
  windows?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 500, description: 'Most SMS the firm may send in one day (its time zone).' })
  @Omittable()
  @IsInt({ message: 'smsDailyCap must be a whole number' })
  smsDailyCap?: number;
}

export class SendingSettingsView {
  @ApiProperty({ example: { sms: { start: '08:00', end: '21:00' }, email: { start: '07:00', end: '21:00' }, businessDaysOnly: false } })
  windows!: Record<string, unknown>;
  @ApiProperty({ example: 500, description: "The firm's own daily SMS cap." }) smsDailyCap!: number;
  @ApiProperty({ enum: SMS_SENDERS, description: "The sender texts go through: the firm's own Twilio account, the platform's, or the log driver." })
  smsSender!: string;
  @ApiProperty({ example: 50, nullable: true, type: Number, description: "On the platform's sender: the operator's cap, which the firm cannot raise (null otherwise)." })
  platformSmsDailyCap!: number | null;
  @ApiProperty({ example: 50, description: 'The cap that applies: min(smsDailyCap, platformSmsDailyCap) on the platform sender.' })
  effectiveSmsDailyCap!: number;
  @ApiProperty({ nullable: true, type: String, description: "Why no text goes now although a sender exists (the platform's sender waits for the firm's verified signup email); null: none." })
  smsUnavailableReason!: string | null;
}

@ApiTags('settings')
@ApiBearerAuth()
@Controller('v1/settings')
export class FollowUpSettingsController {
  constructor(
    private readonly settings: FollowUpSettingsService,
    private readonly previewTemplate: PreviewTemplateUseCase,
  ) {}

  @Get('follow-up-policy')
  @RequireScopes('settings:read')
  @ApiOperation({ summary: 'The playbook as this firm runs it: per rule, enabled, timing, maxNudges, requiresApproval, templates, variants (docs/analytics.md).' })
  policy(@CurrentPrincipal() p: Principal): Promise<FollowUpPolicy> {
    return this.settings.policy(p.tenantId);
  }

  @Put('follow-up-policy')
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Change the policy. A partial object keyed by rule; null restores a default. Validated whole: nothing changes on a 400.' })
  @ApiBody({ schema: { type: 'object', example: { resume_follow_up: { timing: { delay: 'P5D' } }, no_reply_nudge: { maxNudges: 1 } } } })
  updatePolicy(@CurrentPrincipal() p: Principal, @Body() body: unknown): Promise<FollowUpPolicy> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw AppException.validation([{ field: 'policy', message: 'must be an object keyed by rule' }]);
    }
    return this.settings.updatePolicy(p.tenantId, body, actorOf(p));
  }

  @Post('follow-up-policy/preview')
  @HttpCode(200)
  @RequireScopes('settings:read')
  @ApiOperation({ summary: "Render a draft template as one of this firm's follow-ups would read, from a real candidate (or a sample). Validated like a saved template; nothing is written." })
  preview(@CurrentPrincipal() p: Principal, @Body() dto: TemplatePreviewDto): Promise<TemplatePreviewView> {
    return this.previewTemplate.execute(p.tenantId, dto, p.kind === 'user' ? p.userId : null);
  }

  @Get('sending')
  @RequireScopes('settings:read')
  @ApiResponse({ status: 200, type: SendingSettingsView })
  @ApiOperation({ summary: 'Sending windows (SMS within 08:00-21:00 recipient-local, email default 07:00-21:00) and the daily SMS cap.' })
  sending(@CurrentPrincipal() p: Principal): Promise<SendingSettings> {
    return this.settings.sending(p.tenantId);
  }

  @Put('sending')
  @RequireScopes('settings:write')
  @ApiOperation({ summary: "Change the sending windows or the firm's daily SMS cap. On the platform's Twilio sender the cap cannot exceed the operator's (409)." })
  @ApiResponse({ status: 200, type: SendingSettingsView })
  updateSending(@CurrentPrincipal() p: Principal, @Body() dto: UpdateSendingDto): Promise<SendingSettings> {
    return this.settings.updateSending(p.tenantId, dto, actorOf(p));
  }
}
