import { ALWAYS_VARIABLES, LEAD_VARIABLES, TEMPLATE_VARIABLES, TEMPLATE_VARIABLE_DESCRIPTIONS, TemplateRenderError, renderEmail, renderSms, renderTemplate, smsSegments, validateTemplate } from './templates';
import { LONG_VARS } from '../../../test/support/template-vars';


describe('the variable catalog', () => {
  it('describes every variable', () => {
    expect(Object.keys(TEMPLATE_VARIABLE_DESCRIPTIONS).sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });
});

describe('validateTemplate', () => {
  it('accepts spaces inside the braces', () => {
    expect(validateTemplate('Hi {{ recipientFirstName }}!')).toEqual([]);
  });

  it('names an unknown variable and suggests the closest', () => {
    expect(validateTemplate('Hi {{candidateNmae}}')).toEqual([
      { field: 'body', variable: 'candidateNmae', message: 'unknown variable "candidateNmae"; did you mean "candidateName"?' },
    ]);
    expect(validateTemplate('Hi {{shoeSize}}')).toEqual([{ field: 'body', variable: 'shoeSize', message: 'unknown variable "shoeSize"' }]);
  });

  it('rejects a variable the rule does not provide', () => {
    const problems = validateTemplate({ body: 'See you at {{interviewTime}} {{firmName}}' }, [...ALWAYS_VARIABLES, ...LEAD_VARIABLES]);
    expect(problems).toEqual([{ field: 'body', variable: 'interviewTime', message: expect.stringContaining('not available for this message') }]);
  });

  it.each([
    ['Hi {{recipientFirstName', /unbalanced braces near "Hi \{\{recipien/],
    ['Hi recipientFirstName}}', /unbalanced braces/],
    ['Hi {{recipientFirstName}} }}', /unbalanced braces/],
    ['{{{recipientFirstName}}}', /triple braces/],
  ])('reports unbalanced braces in %j', (text, message) => {
    expect(validateTemplate(text)).toEqual([{ field: 'body', message: expect.stringMatching(message) }]);
  });

  it('reports invalid names and empty placeholders', () => {
    expect(validateTemplate('{{first name}} {{}}').map((p) => p.message)).toEqual([
      '"{{first name}}" is not a valid variable name',
      '"{{}}" is not a valid variable name',
    ]);
  });

  it('reports every problem, per field, for an email', () => {
    const problems = validateTemplate({ subject: 'About {{candidate}}\nline two', body: ' ' });
    expect(problems).toEqual([
      { field: 'subject', variable: 'candidate', message: expect.stringContaining('unknown variable "candidate"') },
      { field: 'subject', message: 'the subject must be a single line' },
      { field: 'body', message: 'must not be empty' },
    ]);
  });

  it('rejects an SMS whose fixed text alone is over 2 segments', () => {
    expect(validateTemplate({ body: `{{firmName}} ${'x'.repeat(300)}` })).toEqual([]);
    expect(validateTemplate({ body: `{{firmName}} ${'x'.repeat(310)}` })).toEqual([
      { field: 'body', message: expect.stringContaining('3 segments') },
    ]);
  });

  it('allows single braces as ordinary text', () => {
    expect(validateTemplate('Use code {A1} at the front desk, {{recipientFirstName}}')).toEqual([]);
  });
});

describe('renderTemplate', () => {
  it('substitutes variables', () => {
    expect(renderTemplate('Hi {{recipientFirstName}}, {{ firmName }} here.', LONG_VARS)).toBe('Hi Bartholomew, Brightpath Talent Partners here.');
  });

  it('inserts values verbatim: no replacement patterns, no re-expansion', () => {
    const vars = { company: "$& $' $1 {{firmName}}", firmName: 'Acme' };
    expect(renderTemplate('At {{company}} for {{firmName}}', vars)).toBe("At $& $' $1 {{firmName}} for Acme");
  });

  it('keeps apostrophes, diacritics and hyphens', () => {
    expect(renderTemplate('Dear {{recipientName}}', { recipientName: "Zoë O'Brien-Smith" })).toBe("Dear Zoë O'Brien-Smith");
  });

  it('throws naming a missing variable', () => {
    expect(() => renderTemplate('Hi {{recipientFirstName}} from {{firmName}}', { recipientFirstName: 'Ann' })).toThrow(
      new TemplateRenderError('missing value for template variable "firmName"', 'firmName'),
    );
  });

  it('treats a blank value as missing, so nothing goes out as "Hi ,"', () => {
    expect(() => renderTemplate('Hi {{recipientFirstName}},', { recipientFirstName: '  ' })).toThrow(/recipientFirstName/);
  });

  it('throws on an unknown variable', () => {
    try {
      renderTemplate('Hi {{nickname}}', LONG_VARS);
      throw new Error('expected a TemplateRenderError');
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(TemplateRenderError);
      expect((error as TemplateRenderError).variable).toBe('nickname');
    }
  });

  it('throws on unbalanced braces', () => {
    expect(() => renderTemplate('Hi {{recipientFirstName', LONG_VARS)).toThrow(TemplateRenderError);
  });

  it('renders an email subject and body', () => {
    expect(renderEmail({ subject: 'For {{company}}', body: 'Dear {{recipientFirstName}}' }, LONG_VARS)).toEqual({
      subject: 'For Northwind Logistics International',
      body: 'Dear Bartholomew',
    });
  });
});

describe('smsSegments', () => {
  it('counts GSM-7: 160 in one segment, then 153 per segment', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('keeps accented letters of the GSM table in GSM-7', () => {
    expect(smsSegments('José Muñoz, Århus, Gößling').encoding).toBe('GSM-7');
  });

  it('counts extension characters as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81)).segments).toBe(2);
    expect(smsSegments('[]{}^~|\\').units).toBe(16);
  });

  it('never splits an escape sequence across segments', () => {
    // 152 + 2 + 152 = 306 septets would fit 2×153, but the "€" cannot straddle the boundary.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
  });

  it('switches to UCS-2 for any other character: 70, then 67 per segment', () => {
    expect(smsSegments('ë'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments('ë'.repeat(71)).segments).toBe(2);
    expect(smsSegments('ë'.repeat(134)).segments).toBe(2);
    expect(smsSegments('ë'.repeat(135)).segments).toBe(3);
    expect(smsSegments("Zoë O'Brien-Smith").encoding).toBe('UCS-2');
    expect(smsSegments('curly ’ apostrophe').encoding).toBe('UCS-2');
  });

  it('counts an emoji as two UTF-16 units and never splits it', () => {
    expect(smsSegments('🙂').units).toBe(2);
    expect(smsSegments(`${'a'.repeat(66)}🙂${'a'.repeat(66)}`).segments).toBe(3);
  });
});

