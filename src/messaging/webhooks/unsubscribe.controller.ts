import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import { UnsubscribeService } from '../consent/unsubscribe.service';
import { htmlPage } from '../../common/html-page';
import { escapeXml } from '../domain/twiml';

const INVALID = htmlPage('Link not valid', '<p>This unsubscribe link is not valid. Please use the link from the most recent email.</p>');

/**
 * One-click unsubscribe (RFC 8058). GET shows a confirmation page and changes nothing (mail
 * scanners follow links); POST — the mail client's one-click `List-Unsubscribe=One-Click`, or the
 * page's button — opts the person out of email.
 */
@ApiTags('unsubscribe')
@Public()
@Controller('v1/unsubscribe')
export class UnsubscribeController {
  constructor(private readonly unsubscribes: UnsubscribeService) {}

  @Get(':token')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Confirmation page of an unsubscribe link. Changes nothing.' })
  async confirm(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const target = await this.unsubscribes.inspect(token);
    if (!target) {
      void reply.status(404);
      return INVALID;
    }
    const what = target.subject.channel === 'email' ? 'emails' : 'text messages';
    return htmlPage(
      `Unsubscribe from ${target.firmName}`,
      `<p>Stop receiving ${what} from ${escapeXml(target.firmName)}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  @Post(':token')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'RFC 8058 one-click unsubscribe (body List-Unsubscribe=One-Click, form-encoded).' })
  async unsubscribe(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const target = await this.unsubscribes.unsubscribe(token);
    if (!target) {
      void reply.status(404);
      return INVALID;
    }
    void reply.status(200);
    const what = target.subject.channel === 'email' ? 'emails' : 'text messages';
    return htmlPage('You are unsubscribed', `<p>You will no longer receive ${what} from ${escapeXml(target.firmName)}.</p>`);
  }
}
