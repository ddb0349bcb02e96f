/** A process environment as flarewatch reads it (process.env, or a test's plain object). */
export type Env = Record<string, string | undefined>;
