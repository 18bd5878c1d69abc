import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { audioUploadLimits } from './audio-upload';

/**
 * A route that takes one recording with its consent (greetings, spoken language names): multipart `file` and
 * `consent`, read into memory by multer within the route's own `audioUploadLimits(maxBytes)`, and so described.
 */
export const ConsentedAudioUpload = (maxBytes: number) =>
  applyDecorators(
    UseInterceptors(FileInterceptor('file', audioUploadLimits(maxBytes))),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: ['file', 'consent'],
        properties: { file: { type: 'string', format: 'binary' }, consent: { type: 'string', enum: ['true'] } },
      },
    }),
  );
