export { env, LOG_LEVELS, type LogLevel, platformEnv } from "./fields";
export { ConfigError, type ConfigProblem, type Environment, loadConfig } from "./load-config";
