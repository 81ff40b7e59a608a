/**
 * The app's ports, in one place: what the use cases need from the outside world, defined here and implemented
 * outside — Redis adapters in src/store, WeCom adapters in src/wecom, BullMQ producers in src/jobs — and the use cases'
 * own entry points (use-cases.ts), through which src/http and src/jobs call in. Those layers import nothing else from
 * src/app (eslint enforces it; docs/architecture.md).
 */
export * from './inbox';
export * from './messaging';
export * from './repositories';
export * from './use-cases';
export * from './wecom';
export * from './board';
export * from './archive';
export * from './sidebar';
