export * from './file-transport';
export * from './open-file-transport';
export * from './transport-secrets';
export { hostKeyFingerprint } from './sftp-file-transport';
