import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'audience-hub:public';

/** The route needs no token (health, metrics, keys, token). Every other route does (libs/auth). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
