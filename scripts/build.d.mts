/** Types for scripts/build.mjs, which runs under plain node (no TypeScript loader). */
export declare const DIST: string;
export declare const CLI_BUNDLE: string;
/** Bundles the gateway CLI and its store thread into dist/; resolves with the CLI bundle's path. */
export declare function buildGateway(): Promise<string>;
