import { GraphQLError, isEnumType, Kind, parse, visit } from 'graphql';
import type { ASTNode, GraphQLSchema } from 'graphql';
import type { FieldError } from '../common/app.exception';

/** GraphQL's own words for a value an enum does not have (graphql-js GraphQLEnumType). */
const NOT_IN_ENUM = /^Value "(?<value>.*)" does not exist in "(?<enum>\w+)" enum\./s;
const NOT_AN_ENUM_VALUE = /^Enum "(?<enum>\w+)" cannot represent non-(?<what>enum|string) value: (?<value>.*?)\.(?: Did you mean|$)/s;
const DID_YOU_MEAN = / ?Did you mean .+?\?$/s;
const VARIABLE = /^Variable "\$(?<variable>\w+)" got invalid value .*? at "(?<path>[^"]+)"; /s;

export interface EnumValueError {
  message: string;
  /** The field as the app's validation errors name it (`status`, `roles`), when it can be told. */
  errors: FieldError[];
}

/**
 * An unknown value of an enum (`status: bogus`, `status: "applied"` in quotes, `{ "status": 7 }` in
 * variables) is refused by GraphQL itself, before any resolver: a 400 with code
 * GRAPHQL_VALIDATION_FAILED (in the query) or BAD_USER_INPUT (in variables), and nothing written.
 * GraphQL's message names the value and the enum; this adds what the app's validation errors say:
 * the field, and the values it takes (`status must be one of: …`), in the message and in
 * `extensions.errors` ([{ field, message }]). Enum values are no secret: /openapi.json lists them
 * to anyone. Not an enum error: undefined.
 */
export function explainEnumError(error: unknown, schema: GraphQLSchema | undefined): EnumValueError | undefined {
  if (!(error instanceof GraphQLError) || !schema) return undefined;
  const inner = error.originalError instanceof GraphQLError ? error.originalError : error;
  const match = NOT_IN_ENUM.exec(inner.message) ?? NOT_AN_ENUM_VALUE.exec(inner.message);
  const type = match?.groups ? schema.getType(match.groups.enum!) : undefined;
  if (!match?.groups || !isEnumType(type)) return undefined;
  const values = type.getValues().map((v) => v.name);
  const field = fieldOf(error);
  const base = error.message.replace(DID_YOU_MEAN, '');
  const quoted = match.groups.what === 'enum' && values.find((v) => JSON.stringify(v) === match.groups!.value);
  const expected = quoted ? `takes the enum value ${quoted}, written without quotes` : `must be one of: ${values.join(', ')}`;
  if (field === undefined) return { message: `${base} It ${expected}.`, errors: [] };
  // Worded as the app's own validation errors: "Invalid status: status must be one of: …".
  return { message: `${base} Invalid ${field}: ${field} ${expected}.`, errors: [{ field, message: `${field} ${expected}` }] };
}

/**
 * The input field or argument the refused value was given for: from the variable's path
 * (`"i.roles[1]"` → roles), else from where the value (or the variable) stands in the query.
 */
function fieldOf(error: GraphQLError): string | undefined {
  const path = VARIABLE.exec(error.message)?.groups?.path;
  const named = path?.split(/[.[\]]/).filter((s) => s !== '' && !/^\d+$/.test(s)) ?? [];
  if (named.length > 1) return named[named.length - 1];
  const source = error.source?.body;
  const at = error.nodes?.[0];
  if (!source || !at) return undefined;
  let document: ASTNode;
  try {
    document = parse(source);
  } catch {
    return undefined;
  }
  const variable = at.kind === Kind.VARIABLE_DEFINITION ? at.variable.name.value : undefined;
  const names: string[] = [];
  let found: string | undefined;
  const naming = { enter: (n: { name: { value: string } }) => void names.push(n.name.value), leave: () => void names.pop() };
  visit(document, {
    Argument: naming,
    ObjectField: naming,
    // The variable's definition is not a use of it.
    VariableDefinition: () => false,
    enter(node) {
      if (found !== undefined || names.length === 0) return;
      const here = variable !== undefined ? node.kind === Kind.VARIABLE && node.name.value === variable : node.loc?.start === at.loc?.start;
      if (here) found = names[names.length - 1];
    },
  });
  return found;
}
