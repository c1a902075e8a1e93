import { audienceExportConfigSchema } from '../config';
import { deliveryLocationOf } from './delivery-locations';

describe('delivery locations', () => {
  const org = 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg';
  const config = (locations: object | undefined, sinkDir?: string) =>
    audienceExportConfigSchema.parse({ EXPORT_DELIVERY_LOCATIONS: locations && JSON.stringify(locations), EXPORT_FILE_SINK_DIR: sinkDir });

  it("takes the data source's own location, else its org's *, else the sink directory, else none", () => {
    const both = config({ [org]: { 'ds-1': 'sftp://hub@aam.example/in?hostKey=SHA256:x', '*': 's3://bucket/aam' } }, '/var/hub/out');
    expect(deliveryLocationOf(both, org, 'ds-1')).toBe('sftp://hub@aam.example/in?hostKey=SHA256:x');
    expect(deliveryLocationOf(both, org, 'ds-2')).toBe('s3://bucket/aam');
    expect(deliveryLocationOf(both, 'B1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg', 'ds-1')).toBe('file:///var/hub/out');
    expect(deliveryLocationOf(config(undefined), org, 'ds-1')).toBeUndefined();
  });

  it('refuses locations that are not an object of org ids to objects of URLs', () => {
    expect(() => config({ 'not-an-org': { '*': 's3://bucket' } })).toThrow();
    expect(() => config({ [org]: 's3://bucket' })).toThrow();
  });
});
