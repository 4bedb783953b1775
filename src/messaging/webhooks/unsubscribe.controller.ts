import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../auth/auth.decorators';
import { UnsubscribeService } from '../consent/unsubscribe.service';
import { htmlPage } from '../../common/html-page';
import { escapeXml } from '../domain/twiml';
import { ReadsRawBody } from '../../common/bodyless';

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
    if (target.optedOut) return unsubscribedPage(token, target.firmName, what);
    return htmlPage(
      `Unsubscribe from ${target.firmName}`,
      `<p>Stop receiving ${what} from ${escapeXml(target.firmName)}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  @Post(':token')
  @ReadsRawBody()
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
    return unsubscribedPage(token, target.firmName, target.subject.channel === 'email' ? 'emails' : 'text messages');
  }

  @Post(':token/resubscribe')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "The person's own undo of their unsubscribe, from the link's page. The only way back in after an unsubscribe link: the API answers 409. A STOP is undone by texting START.",
  })
  async resubscribe(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const target = await this.unsubscribes.resubscribe(token);
    if (!target) {
      void reply.status(404);
      return INVALID;
    }
    const firm = escapeXml(target.firmName);
    if (target.optedOut) {
      void reply.status(409);
      return htmlPage('Text START to opt back in', `<p>You stopped text messages from ${firm} by texting STOP. To receive them again, reply START to ${firm}'s number.</p>`);
    }
    void reply.status(200);
    return htmlPage('You are subscribed again', `<p>You will receive ${target.subject.channel === 'email' ? 'emails' : 'text messages'} from ${firm} again.</p>`);
  }
}

/** The page of an unsubscribed person: what it means, and their own undo. */
function unsubscribedPage(token: string, firmName: string, what: string): string {
  return htmlPage(
    'You are unsubscribed',
    `<p>You will no longer receive ${what} from ${escapeXml(firmName)}.</p>
<form method="post" action="${escapeXml(token)}/resubscribe"><button type="submit">Undo: subscribe again</button></form>`,
  );
}
