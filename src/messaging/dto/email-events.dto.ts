import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

/** One delivery event in Touchpoint's own JSON shape (the generic option; providers have adapters). */
export class EmailEventDto {
  @ApiProperty({ example: 'evt-7d1c', description: "Your id of this event: a replay with the same id changes nothing." })
  @IsString()
  @Length(1, 500)
  id!: string;

  @ApiProperty({ enum: ['delivered', 'bounce', 'complaint'] })
  @IsIn(['delivered', 'bounce', 'complaint'])
  type!: 'delivered' | 'bounce' | 'complaint';

  @ApiPropertyOptional({ enum: ['hard', 'soft'], description: 'Required for a bounce.' })
  @ValidateIf((o: EmailEventDto) => o.type === 'bounce')
  @IsIn(['hard', 'soft'])
  bounceType?: 'hard' | 'soft';

  @ApiProperty({ example: 'jane@example.com', description: 'The recipient the event is about.' })
  @IsString()
  @Length(3, 320)
  email!: string;

  @ApiPropertyOptional({ example: '<0b9c7a52-5d0e-4d55-9c39-6f0f4f1d7c11@acme-staffing.com>', description: 'Our Message-ID (or message id), when you have it.' })
  @IsOptional()
  @IsString()
  @MaxLength(998)
  messageId?: string;

  @ApiPropertyOptional({ example: '550 5.1.1 User unknown' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  diagnostic?: string;

  @ApiProperty({ example: '2026-12-09T16:05:12Z' })
  @IsISO8601({ strict: true })
  timestamp!: string;
}

export class EmailEventsDto {
  @ApiProperty({ type: [EmailEventDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EmailEventDto)
  events!: EmailEventDto[];
}

export class EmailEventsResultView {
  @ApiProperty({ description: 'Events recorded now (a replayed one is not counted).' }) recorded!: number;
  @ApiProperty({ description: 'Events already recorded earlier (replays): nothing changed.' }) duplicates!: number;
}
