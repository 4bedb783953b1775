import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { AppException } from './app.exception';
import { EXTERNAL_ID, EXTERNAL_SOURCE, IsExternalSource } from './person-fields';

/** `?source=` on the by-external-id upserts: which system the external id belongs to. */
export class ExternalSourceQueryDto {
  @ApiPropertyOptional({ example: 'bullhorn', default: 'api' })
  @IsOptional()
  @IsExternalSource()
  source?: string;

  /** Validates the :externalId path segment (400 naming it). */
  static externalId(value: string): string {
    if (!EXTERNAL_ID.test(value)) {
      throw AppException.validation([{ field: 'externalId', message: 'must be 1 to 200 characters of letters, digits and . _ : @ / -' }]);
    }
    return value;
  }

  /** Validates an externalSource argument (GraphQL); default "api". */
  static source(value: string | undefined | null): string {
    if (value === undefined || value === null) return 'api';
    if (!EXTERNAL_SOURCE.test(value)) {
      throw AppException.validation([{ field: 'externalSource', message: 'must be 1 to 50 characters of a-z, 0-9, _ and -' }]);
    }
    return value;
  }
}
