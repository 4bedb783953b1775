import type { Type } from '@nestjs/common';
import { InputType, PartialType, PickType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Omittable } from './validation';

/** Where @nestjs/swagger keeps a class's documented properties (its DECORATORS, not exported). */
const SWAGGER_PROPERTIES = 'swagger/apiModelProperties';
const SWAGGER_PROPERTY_LIST = 'swagger/apiModelPropertiesArray';

/** The documented properties of a class (inherited ones included), as ApiProperty wrote them. */
function documentedKeys(prototype: object): string[] {
  const keys = (Reflect.getMetadata(SWAGGER_PROPERTY_LIST, prototype) ?? []) as unknown[];
  return [...new Set(keys.filter((k): k is string => typeof k === 'string' && k.startsWith(':')).map((k) => k.slice(1)))];
}

/**
 * The input of an update (PATCH, updateX), derived from the fields a create takes: every field
 * may be left out (kept as it is); a field the create documents as `Nullable()` may be `null`
 * (cleared); any other field sent as `null` is a 400 naming it (`Omittable()`), never the
 * database's NOT NULL. One definition serves GraphQL (an input type, every field nullable),
 * validation and /openapi.json (no field required).
 *
 *   @InputType('UpdateCandidateInput')
 *   export class UpdateCandidateDto extends UpdateType(CandidateFieldsDto) {}
 *   export class UpdateReferenceDto extends UpdateType(CreateReferenceDto, ['relationship']) {}
 */
export function UpdateType<T, K extends keyof T = keyof T>(fields: abstract new () => T, only?: readonly K[]): Type<Partial<Pick<T, K>>> {
  // GraphQL fields and the validation and transformation rules, each kept only when the field
  // is given (skipNullProperties: false keeps null for the field's own rules to judge).
  const base = only ? PickType(fields as Type<T>, only, InputType) : (fields as Type<T>);
  const Update = PartialType(base, { decorator: InputType, skipNullProperties: false }) as Type<Partial<Pick<T, K>>>;
  for (const key of documentedKeys(fields.prototype as object)) {
    if (only && !(only as readonly PropertyKey[]).includes(key)) continue;
    const meta = (Reflect.getMetadata(SWAGGER_PROPERTIES, fields.prototype as object, key) ?? {}) as Record<string, unknown>;
    ApiProperty({ ...meta, required: false })(Update.prototype as object, key);
    if (meta.nullable !== true) Omittable()(Update.prototype as object, key);
  }
  Object.defineProperty(Update, 'name', { value: `Update${fields.name.replace(/FieldsDto$|Dto$/, '')}` });
  return Update;
}
