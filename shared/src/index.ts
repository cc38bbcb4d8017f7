export * from './constants.ts';
export * from './errors.ts';
export * from './identity.ts';
export * from './llm.ts';
export * from './oauth.ts';
export * from './protocol.ts';
export * from './scopes.ts';
export * from './vialError.ts';
