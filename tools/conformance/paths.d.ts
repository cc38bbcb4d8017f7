export declare const node22: string;
export declare const conformanceCli: string;
export declare const conformance2026Cli: string;
