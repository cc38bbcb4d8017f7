/**
 * Stands in for the MCP SDK's `validation/ajv-provider.js` in the web bundle (vite.config.ts
 * aliases it here): the SDK imports ajv as its default JSON Schema validator even when a server
 * is given another, which would put ajv in the app's first paint. The tab uses @cfworker/json-schema.
 */
export { CfWorkerJsonSchemaValidator as AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
