import { buildSchema, getVariableValues, GraphQLError, parse, validate } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { explainEnumError } from './enum-errors';

const schema = buildSchema(`
  enum LeadStatus { identified applied offer }
  input LeadInput { company: String, status: LeadStatus, tags: [LeadStatus!] }
  type Query { leads(status: LeadStatus, name: String): Int, lead(input: LeadInput): Int }
`);

/** What GraphQL says of a query (validation) or of its variables (coercion), explained. */
function refusal(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const errors: readonly GraphQLError[] = variables
    ? (() => {
        const op = document.definitions[0] as OperationDefinitionNode;
        const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables);
        return 'errors' in coerced ? (coerced.errors ?? []) : [];
      })()
    : validate(schema, document);
  expect(errors).toHaveLength(1);
  return explainEnumError(errors[0], schema);
}

describe('explainEnumError', () => {
  it('names the argument and its values for an unknown literal', () => {
    expect(refusal('{ leads(status: hired) }')).toEqual({
      message: 'Value "hired" does not exist in "LeadStatus" enum. Invalid status: status must be one of: identified, applied, offer.',
      errors: [{ field: 'status', message: 'status must be one of: identified, applied, offer' }],
    });
  });

  it('names the input field, in an object and in a list', () => {
    expect(refusal('{ lead(input: { company: "Globex", status: hired }) }')?.errors).toEqual([{ field: 'status', message: 'status must be one of: identified, applied, offer' }]);
    expect(refusal('{ lead(input: { tags: [applied, hired] }) }')?.errors).toEqual([{ field: 'tags', message: 'tags must be one of: identified, applied, offer' }]);
  });

  it('tells a quoted value to lose its quotes, and drops "Did you mean"', () => {
    expect(refusal('{ leads(status: "applied") }')).toEqual({
      message: 'Enum "LeadStatus" cannot represent non-enum value: "applied". Invalid status: status takes the enum value applied, written without quotes.',
      errors: [{ field: 'status', message: 'status takes the enum value applied, written without quotes' }],
    });
  });

  it('names the field from a variable’s path, or from where the variable is used', () => {
    expect(refusal('query($i: LeadInput) { lead(input: $i) }', { i: { tags: ['offer', 'hired'] } })?.errors).toEqual([
      { field: 'tags', message: 'tags must be one of: identified, applied, offer' },
    ]);
    const direct = refusal('query($s: LeadStatus) { leads(name: "x", status: $s) }', { s: 7 });
    expect(direct?.message).toBe('Variable "$s" got invalid value 7; Enum "LeadStatus" cannot represent non-string value: 7. Invalid status: status must be one of: identified, applied, offer.');
    expect(direct?.errors).toEqual([{ field: 'status', message: 'status must be one of: identified, applied, offer' }]);
  });

  it('leaves every other error alone', () => {
    expect(refusal('{ leads(name: 7) }')).toBeUndefined();
    expect(refusal('{ leads(tenantId: "x") }')).toBeUndefined();
    expect(explainEnumError(new Error('Value "x" does not exist in "LeadStatus" enum.'), schema)).toBeUndefined();
    expect(explainEnumError(new GraphQLError('Value "x" does not exist in "Unknown" enum.'), schema)).toBeUndefined();
  });
});
