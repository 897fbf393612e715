export { buildApp, type AppContext, type Services } from './app.js';
export { resolveConfig, type AppConfig } from './config.js';
export { seedDemo, DEMO_PASSWORD, type DemoSeed } from './seed.js';
export { AppError } from './errors.js';
