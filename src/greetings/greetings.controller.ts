import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, Param, Put, Res, UploadedFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiProperty,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import { ConsentedAudioUpload } from './audio-upload.decorator';
import { GREETING_MAX_BYTES, GreetingsService } from './greetings.service';

class GreetingInfoDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty({ example: 'audio/webm' }) contentType: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty({ maximum: 10500 }) durationMs: number;
  @ApiProperty({ format: 'date-time', description: 'When she agreed that callers may hear it' }) consentedAt: string;
}

class MyVariantDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty({ type: GreetingInfoDto, nullable: true }) greeting: GreetingInfoDto | null;
}

class AvailableGreetingDto {
  @ApiProperty({ format: 'uuid' }) languageId: string;
  @ApiProperty() durationMs: number;
}

const interpreterOf = (p: Principal) => {
  if (!p.interpreterId) throw new ForbiddenException('this account is not linked to an interpreter');
  return p.interpreterId;
};

@ApiTags('greetings')
@Controller('greetings')
export class GreetingsController {
  constructor(private readonly greetings: GreetingsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'The languages that have a greeting callers can hear (one per language)' })
  @ApiOkResponse({ type: AvailableGreetingDto, isArray: true })
  available() {
    return this.greetings.available();
  }

  @Get('mine')
  @ApiBearerAuth()
  @Roles('interpreter')
  @ApiOperation({ summary: 'The variants she interprets, each with her greeting if she recorded one' })
  @ApiOkResponse({ type: MyVariantDto, isArray: true })
  mine(@CurrentUser() p: Principal) {
    return this.greetings.mine(interpreterOf(p));
  }

  @Put('mine/:languageId')
  @ApiBearerAuth()
  @Roles('interpreter')
  @ConsentedAudioUpload(GREETING_MAX_BYTES)
  @ApiOperation({
    summary: 'Record (or replace) her greeting in one of her variants',
    description:
      'Multipart: `file`, a WebM/Opus recording of at most 10 s (checked from the file itself, whatever its declared type), and ' +
      '`consent` = `true` (callers choosing this language will hear it; she can delete it at any time). Only in a variant she ' +
      `interprets (403 otherwise). Over ${GREETING_MAX_BYTES} bytes: 413. A profile asset, never session content. Audited.`,
  })
  @ApiParam({ name: 'languageId', format: 'uuid' })
  @ApiOkResponse({ type: GreetingInfoDto })
  @ApiResponse({ status: 400, description: 'No consent, no file, not WebM/Opus audio, or longer than 10 s (the field is named)' })
  @ApiResponse({ status: 403, description: 'Not a variant she interprets' })
  @ApiResponse({ status: 413, description: 'The file is too large' })
  save(
    @CurrentUser() p: Principal,
    @Param('languageId', uuidParam('languageId')) languageId: string,
    @UploadedFile() file: { buffer: Buffer; size: number } | undefined,
    @Body() body: Record<string, unknown> | undefined,
  ) {
    return this.greetings.save(interpreterOf(p), languageId, file, body?.consent);
  }

  @Delete('mine/:languageId')
  @HttpCode(204)
  @ApiBearerAuth()
  @Roles('interpreter')
  @ApiOperation({ summary: 'Delete her greeting in this variant (audited)' })
  @ApiParam({ name: 'languageId', format: 'uuid' })
  @ApiNoContentResponse()
  @ApiResponse({ status: 404, description: 'She has no greeting in this variant' })
  async remove(@CurrentUser() p: Principal, @Param('languageId', uuidParam('languageId')) languageId: string) {
    await this.greetings.remove(interpreterOf(p), languageId);
  }
}

@ApiTags('greetings')
@Controller('languages')
export class LanguageGreetingController {
  constructor(private readonly greetings: GreetingsService) {}

  @Get(':id/greeting')
  @Public()
  @ApiOperation({ summary: 'The greeting callers hear for this language (audio/webm, not cached by the browser); 404 if none' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('audio/webm')
  @ApiOkResponse({ description: 'The audio', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 404, description: 'No greeting for this language' })
  async audio(@Param('id', uuidParam('id')) id: string, @Res() res: Response) {
    const { contentType, audio } = await this.greetings.audioFor(id);
    // Nothing a caller's page fetches stays on her phone: no HTTP cache either.
    res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': String(audio.length) }).send(audio);
  }
}
