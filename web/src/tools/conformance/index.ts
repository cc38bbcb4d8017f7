/**
 * The `conformance` fixture pack: the fixed-name tools, resources and prompts the official MCP
 * conformance suite (`@modelcontextprotocol/conformance`, server mode) calls. Served only when
 * the relay runs with `VIAL_FIXTURES=conformance`.
 */
import type { ToolPack } from '../../host/registry.ts';
import { elicitation, elicitationDefaults, elicitationEnums, sampling } from './clientRequests.ts';
import {
  audioContent,
  embeddedResource,
  errorHandling,
  imageContent,
  multipleContentTypes,
  simpleText,
} from './content.ts';
import { jsonSchema2020Tool } from './jsonSchema2020.ts';
import { toolWithLogging, toolWithProgress } from './notifications.ts';
import { promptWithArguments, promptWithEmbeddedResource, promptWithImage, simplePrompt } from './prompts.ts';
import { reconnection } from './reconnection.ts';
import { dataTemplate, staticBinary, staticText } from './resources.ts';
import { installSubscriptions, updateWatchedResource } from './subscriptions.ts';

export const conformancePack: ToolPack = {
  name: 'conformance',
  tools: [
    simpleText,
    imageContent,
    audioContent,
    embeddedResource,
    multipleContentTypes,
    errorHandling,
    toolWithLogging,
    toolWithProgress,
    sampling,
    elicitation,
    elicitationDefaults,
    elicitationEnums,
    jsonSchema2020Tool,
    reconnection,
    updateWatchedResource,
  ],
  resources: [staticText, staticBinary],
  resourceTemplates: [dataTemplate],
  prompts: [simplePrompt, promptWithArguments, promptWithEmbeddedResource, promptWithImage],
  install(server) {
    installSubscriptions(server);
  },
};
