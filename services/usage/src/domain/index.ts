export * from "./meters";
export * from "./periods";
export * from "./usage-events";
