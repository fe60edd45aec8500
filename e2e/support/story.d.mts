export declare const STORY_LATENCY_MS: number;
