export declare const node22: string;
export declare const conformanceCli: string;
