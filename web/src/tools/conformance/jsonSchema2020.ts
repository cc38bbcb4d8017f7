/**
 * `json_schema_2020_12_tool` (SEP-1613): a tool whose input schema is published as JSON Schema
 * 2020-12 with `$defs`, `$ref` and `additionalProperties: false`, while zod still validates the
 * arguments. The SDK emits draft-07 from zod; zod's `.meta()` keys are merged verbatim into the
 * emitted schema, which is how the 2020-12 dialect and `$defs` get there.
 */
import { z } from 'zod';
import { defineTool } from '../../host/registry.ts';

const ADDRESS_JSON_SCHEMA = {
  type: 'object',
  properties: { street: { type: 'string' }, city: { type: 'string' } },
} as const;
const address = z.object({ street: z.string().optional(), city: z.string().optional() });

export const jsonSchema2020Tool = defineTool({
  name: 'json_schema_2020_12_tool',
  description: 'Echoes its arguments; its input schema uses JSON Schema 2020-12 features ($defs, $ref).',
  scopes: [],
  access: 'read',
  input: z
    .strictObject({
      name: z.string().optional(),
      address: z
        .unknown()
        .refine((value) => address.safeParse(value).success, 'address must be an object with string street and city')
        .optional()
        // On the optional wrapper, so the property is emitted as exactly { "$ref": "#/$defs/address" }.
        .meta({ $ref: '#/$defs/address' }),
    })
    .meta({ $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: { address: ADDRESS_JSON_SCHEMA } }),
  run: async (input) => ({
    content: [{ type: 'text', text: `JSON Schema 2020-12 tool called with: ${JSON.stringify(input)}` }],
  }),
});
