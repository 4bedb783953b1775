import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger as Pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { scrubLogLine } from './log-scrub';

/**
 * Structured logs (pino JSON). The same instance serves Fastify's request log and Nest's Logger.
 * Every serialized line goes through `scrubLogLine` (tokens in URLs, credentials, emails and
 * phone numbers), whoever wrote it. `destination`: stdout unless given (tests capture lines).
 * `pretty`: one readable line per entry (time, level, message, the fields) for a person at a
 * terminal (development with a TTY); JSON otherwise, for machines.
 */
export function createRootLogger(level: string, destination?: DestinationStream, options: { pretty?: boolean } = {}): Pino {
  const loggerOptions: pino.LoggerOptions = {
    level,
    base: { service: 'touchpoint' },
    hooks: { streamWrite: scrubLogLine },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-twilio-signature"]',
        '*.password',
        '*.authToken',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  };
  const out = destination ?? (options.pretty ? pinoPretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' }) : undefined);
  return out ? pino(loggerOptions, out) : pino(loggerOptions);
}

/** Nest's start-up chatter (modules loaded, each route mapped): debug, so the banner stays readable. */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'GraphQLModule']);

/**
 * Nest's LoggerService over pino. Accepts both Nest's (message, context) calls and the
 * structured (object, message) form used in this code base.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Pino) {}

  private write(level: 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const log = context ? this.root.child({ context }) : this.root;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      const text = typeof params[0] === 'string' ? params[0] : undefined;
      log[level](message as object, text);
      return;
    }
    if (message instanceof Error) {
      log[level]({ err: message }, message.message);
      return;
    }
    const stack = level === 'error' && typeof params[0] === 'string' ? params[0] : undefined;
    if (stack) log[level]({ stack }, String(message));
    else log[level](String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && START_UP_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
}
