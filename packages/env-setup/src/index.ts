export type { CheckEnvOptions, CheckEnvResult, EnvProblem } from "./check-env.js";
export { checkEnv, embeddedTemplate, renderProblems } from "./check-env.js";
export { buildEnvReport } from "./env-report.js";
export type { CreateEnvironmentsOptions, EnvironmentOutcome, EnvironmentsConfig, Runner } from "./environments.js";
export {
  createEnvironments,
  EnvironmentsConfigSchema,
  embeddedEnvironments,
  listEnvironments,
  planSteps,
  readEnvironments,
} from "./environments.js";
export type { LoadEnvOptions, LoadedEnv } from "./load-env.js";
export { loadEnv } from "./load-env.js";
export { maskSecret, redact } from "./mask.js";
export type { DotenvEntry, DotenvIssue, ParseDotenvOptions, ParsedDotenv } from "./parse-dotenv.js";
export { parseDotenv } from "./parse-dotenv.js";
export type { EnvReport, SwevalEnv } from "./schema.js";
export { ENV_REPORT_KIND, ENV_REPORT_VERSION, ENV_VARIABLES, EnvReportSchema, isSecretName, SwevalEnvSchema } from "./schema.js";
