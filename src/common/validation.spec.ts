import { IsString } from 'class-validator';
import { unsafeTextFields, UNSAFE_TEXT_MESSAGE, validateDto } from './validation';

class NameDto {
  @IsString()
  name!: string;
}

describe('text that cannot be stored', () => {
  it('names every field with a NUL or an unpaired surrogate, keys and list items included', () => {
    expect(
      unsafeTextFields({
        name: 'Jane\u0000Doe',
        ok: 'Zoë 👩🏽‍💻 e\u0301 \u202Eevil',
        nested: { high: 'a\uD800', low: '\uDC00b', list: ['fine', 'x\u0000'] },
        ['k\u0000']: 'v',
      }),
    ).toEqual([
      { field: 'name', message: UNSAFE_TEXT_MESSAGE },
      { field: 'nested.high', message: UNSAFE_TEXT_MESSAGE },
      { field: 'nested.low', message: UNSAFE_TEXT_MESSAGE },
      { field: 'nested.list[1]', message: UNSAFE_TEXT_MESSAGE },
      { field: 'k?', message: UNSAFE_TEXT_MESSAGE },
    ]);
    expect(unsafeTextFields('a\u0000', 'id')).toEqual([{ field: 'id', message: UNSAFE_TEXT_MESSAGE }]);
    expect(unsafeTextFields([1, null, true, new Date(), 'Ω'])).toEqual([]);
  });

  it('is a validation error of validateDto (bulk items, CSV rows) too', async () => {
    expect((await validateDto(NameDto, { name: 'a\uDBFF' })).errors).toEqual([{ field: 'name', message: UNSAFE_TEXT_MESSAGE }]);
    expect((await validateDto(NameDto, { name: 'Ann' })).errors).toEqual([]);
  });
});
