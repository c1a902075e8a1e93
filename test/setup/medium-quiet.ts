import { Logger } from '@nestjs/common';

// The use cases log as they would in a service; in the medium tier that is noise around the failures.
Logger.overrideLogger(false);
