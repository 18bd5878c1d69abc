import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';

/**
 * A route that takes one recording with its consent (greetings, spoken language names): multipart `file` and
 * `consent`, read into memory by multer (the module sets the limits, `audioUploadLimits`), and so described.
 */
export const ConsentedAudioUpload = () =>
  applyDecorators(
    UseInterceptors(FileInterceptor('file')),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['file', 'consent'],
        properties: { file: { type: 'string', format: 'binary' }, consent: { type: 'string', enum: ['true'] } },
      },
    }),
  );
