/** Injection token of the AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
