declare const __TOOL_VERSION__: string | undefined;

/** Set by the bundler from package.json; `dev` when running from source. */
export const TOOL_VERSION: string = typeof __TOOL_VERSION__ === 'string' ? __TOOL_VERSION__ : 'dev';
