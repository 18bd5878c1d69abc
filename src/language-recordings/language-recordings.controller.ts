import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import { ConsentedAudioUpload } from '../greetings/audio-upload.decorator';
import { EmptyDto } from '../auth/dto/login.dto';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/validation';
import type { UploadedAudio } from '../greetings/audio-upload';
import { CountryQueryDto, OptionalCountryQueryDto } from '../languages/dto/country-query.dto';
import { MissingRecordingDto, PublishedRecordingDto, RecordingInfoDto, RejectRecordingDto } from './dto/language-recordings.dto';
import { LanguageRecordingsService } from './language-recordings.service';
import { KINDS, nounOf, type RecordingKind } from './recording-kinds';

const ADMINS = ['roster_admin', 'platform_admin'] as const;

/** Nothing a caller's page fetches stays on her phone, and a recording under review is nobody's to keep. */
function sendAudio(res: Response, { contentType, audio }: { contentType: string; audio: Buffer }) {
  res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': String(audio.length) }).send(audio);
}

/**
 * The routes of one kind of language recording (recording-kinds.ts): lists under `/languages/${collection}`, one
 * language's under `/languages/{id}/${item}`. One class per kind, the same rules for all.
 */
export function languageRecordingsController(kind: RecordingKind) {
  const { collection, item, what, maxMs, maxBytes } = KINDS[kind];
  const noun = nounOf(kind);
  const seconds = maxMs / 1000;

  @ApiTags(`language recordings: ${collection}`)
  @Controller('languages')
  class LanguageRecordingsController {
    constructor(private readonly recordings: LanguageRecordingsService) {}

    @Get(collection)
    @Public()
    // The same list for everyone; a minute's delay after a publication is fine.
    @Header('Cache-Control', 'public, max-age=60')
    @ApiOperation({ summary: `The languages whose ${noun} a caller can hear (published ones)` })
    @ApiOkResponse({ type: PublishedRecordingDto, isArray: true })
    published() {
      return this.recordings.published(kind);
    }

    @Get(`${collection}/missing`)
    @ApiBearerAuth()
    @Roles('interpreter', ...ADMINS)
    @ApiOperation({
      summary: `A to-do list: the curated languages a caller in this country can choose that have no published ${noun} (relay languages left out)`,
    })
    @ApiOkResponse({ type: MissingRecordingDto, isArray: true })
    @ApiResponse({ status: 400, description: 'country is missing or not an RCM code (the field is named)' })
    missing(@Query() q: CountryQueryDto) {
      return this.recordings.missing(kind, q.country);
    }

    @Get(`${collection}/pending`)
    @ApiBearerAuth()
    @Roles(...ADMINS)
    @ApiOperation({
      summary: 'Recordings waiting for a check, of languages spoken in the country (a roster admin: hers; another country is 404)',
    })
    @ApiOkResponse({ type: RecordingInfoDto, isArray: true })
    pending(@CurrentUser() p: Principal, @Query() q: OptionalCountryQueryDto) {
      return this.recordings.pending(kind, p, q.country);
    }

    @Get(`${collection}/mine`)
    @ApiBearerAuth()
    @Roles('interpreter', 'roster_admin')
    @ApiOperation({ summary: 'Her own recordings that wait for a check' })
    @ApiOkResponse({ type: RecordingInfoDto, isArray: true })
    mine(@CurrentUser() p: Principal) {
      return this.recordings.mine(kind, p);
    }

    @Get(`:id/${item}`)
    @Public()
    @ApiOperation({
      summary: `The language's ${noun} as published (Opus in WebM or Ogg; not cached by the browser); 404 if none`,
    })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiProduces('audio/webm', 'audio/ogg')
    @ApiOkResponse({ description: 'The audio', schema: { type: 'string', format: 'binary' } })
    @ApiResponse({ status: 404, description: `No published ${noun} for this language` })
    async audio(@Param('id', uuidParam('id')) id: string, @Res() res: Response) {
      sendAudio(res, await this.recordings.publishedAudio(kind, id));
    }

    @Delete(`:id/${item}`)
    @HttpCode(204)
    @ApiBearerAuth()
    @Roles(...ADMINS)
    @ApiOperation({
      summary: `Take the published ${noun} down (a roster admin of a country where it is spoken, or a platform admin; audited)`,
    })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiNoContentResponse()
    async unpublish(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string) {
      await this.recordings.unpublish(kind, p, id);
    }

    @Post(`:id/${item}/recording`)
    @ApiBearerAuth()
    @Roles('interpreter', 'roster_admin')
    @ConsentedAudioUpload(maxBytes)
    @ApiOperation({
      summary: `Record (or replace) her recording of ${what}, to be checked before callers hear it`,
      description:
        `Multipart: \`file\`, Opus in WebM or Ogg of at most ${seconds} s (checked from the file itself, whatever its declared type), and ` +
        '`consent` = `true` (callers will hear her voice once it is published). An interpreter: only a variant she interprets; ' +
        `a roster admin: only a language spoken in her country (403 otherwise). Over ${maxBytes} bytes: 413. Audited.`,
    })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiCreatedResponse({ type: RecordingInfoDto })
    @ApiResponse({ status: 400, description: `No consent, no file, not Opus audio, or longer than ${seconds} s (the field is named)` })
    @ApiResponse({ status: 403, description: 'Not a language she may record' })
    @ApiResponse({ status: 404, description: 'Not a language of the curated catalogue' })
    @ApiResponse({ status: 413, description: 'The file is too large' })
    record(
      @CurrentUser() p: Principal,
      @Param('id', uuidParam('id')) id: string,
      @UploadedFile() file: UploadedAudio | undefined,
      @Body() body: Record<string, unknown> | undefined,
    ) {
      return this.recordings.record(kind, p, id, file, body?.consent);
    }

    @Delete(`:id/${item}/recording`)
    @HttpCode(204)
    @ApiBearerAuth()
    @Roles('interpreter', 'roster_admin')
    @ApiOperation({ summary: 'Withdraw her own recording that waits for a check (audited)' })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiNoContentResponse()
    @ApiResponse({ status: 404, description: `She has no recording of ${what} waiting` })
    async withdraw(@CurrentUser() p: Principal, @Param('id', uuidParam('id')) id: string) {
      await this.recordings.withdraw(kind, p, id);
    }

    @Get(`:id/${item}/recordings/:recordingId`)
    @ApiBearerAuth()
    @Roles('interpreter', ...ADMINS)
    @ApiOperation({ summary: 'A recording to check: for whoever may publish it, and for the one who made it (404 for anyone else)' })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiParam({ name: 'recordingId', format: 'uuid' })
    @ApiProduces('audio/webm', 'audio/ogg')
    async recording(
      @CurrentUser() p: Principal,
      @Param('id', uuidParam('id')) id: string,
      @Param('recordingId', uuidParam('recordingId')) recordingId: string,
      @Res() res: Response,
    ) {
      sendAudio(res, await this.recordings.recordingAudio(kind, p, id, recordingId));
    }

    @Post(`:id/${item}/recordings/:recordingId/publish`)
    @HttpCode(200)
    @ApiBearerAuth()
    @Roles(...ADMINS)
    @ApiOperation({ summary: 'Publish a checked recording: callers hear it from now on, instead of the one before (audited)' })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiParam({ name: 'recordingId', format: 'uuid' })
    @ApiOkResponse({ type: RecordingInfoDto })
    @ApiResponse({ status: 404, description: 'No such recording waiting, or the language is not spoken in her country' })
    publish(
      @CurrentUser() p: Principal,
      @Param('id', uuidParam('id')) id: string,
      @Param('recordingId', uuidParam('recordingId')) recordingId: string,
      @Body() _body: EmptyDto,
    ) {
      return this.recordings.publish(kind, p, id, recordingId);
    }

    @Post(`:id/${item}/recordings/:recordingId/reject`)
    @HttpCode(204)
    @ApiBearerAuth()
    @Roles(...ADMINS)
    @ApiOperation({ summary: 'Reject a recording (it is deleted; the reason is a label, audited)' })
    @ApiParam({ name: 'id', format: 'uuid' })
    @ApiParam({ name: 'recordingId', format: 'uuid' })
    @ApiNoContentResponse()
    async reject(
      @CurrentUser() p: Principal,
      @Param('id', uuidParam('id')) id: string,
      @Param('recordingId', uuidParam('recordingId')) recordingId: string,
      @Body() body: RejectRecordingDto,
    ) {
      await this.recordings.reject(kind, p, id, recordingId, body.reason);
    }
  }
  // One class per kind, each named for its routes (SpokenNamesController, NoticesController, ...): the OpenAPI
  // operation ids are made from the class name, and must differ.
  const pascal = collection.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
  Object.defineProperty(LanguageRecordingsController, 'name', { value: `${pascal}Controller` });
  return LanguageRecordingsController;
}
