import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import { uuidParam } from '../common/validation';
import type { Principal } from '../auth/principal';
import { CreateLinkDto } from './dto/create-link.dto';
import { CreateVariantDto } from './dto/create-variant.dto';
import { LanguageLinkView, LanguageView } from './dto/language-view.dto';
import { SearchLanguagesDto } from './dto/search-languages.dto';
import { LanguageLink } from './entities/language-link.entity';
import { LanguagesService } from './languages.service';

function linkView(l: LanguageLink & { other?: Parameters<typeof LanguageView.of>[0] }): LanguageLinkView {
  const view: LanguageLinkView = {
    id: l.id,
    fromLanguageId: l.fromLanguageId,
    toLanguageId: l.toLanguageId,
    source: l.source,
    createdAt: l.createdAt,
  };
  if (l.other) view.other = LanguageView.of(l.other);
  return view;
}

@ApiTags('languages')
@Controller('languages')
export class LanguagesController {
  constructor(private readonly languages: LanguagesService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Search the language catalogue by ISO 639-3 code, name or autonym (accents and case ignored)' })
  @ApiOkResponse({ type: LanguageView, isArray: true })
  async search(@Query() query: SearchLanguagesDto, @Res({ passthrough: true }) res: Response): Promise<LanguageView[]> {
    const views = (await this.languages.search(query)).map(LanguageView.of);
    // The list every caller's page opens with (no q, no country): the browser keeps it and revalidates it each
    // time (304 while unchanged). The ETag is a hash of the body, so an administrator's new variant changes it at
    // once on every node. A search or a country's list is not kept: it would leave on the phone what she chose.
    if (query.q === undefined && query.country === undefined) {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('ETag', `"${createHash('sha256').update(JSON.stringify(views)).digest('base64url')}"`);
    }
    return views;
  }

  @Post()
  @ApiBearerAuth()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'Add a language variant (a roster admin: spoken in her own country only, 404 for another); 409 if it exists' })
  @ApiCreatedResponse({ type: LanguageView })
  async addVariant(@Body() body: CreateVariantDto, @CurrentUser() actor: Principal): Promise<LanguageView> {
    return LanguageView.of(await this.languages.addVariant(body, actor));
  }

  @Post('links')
  @ApiBearerAuth()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({
    summary: 'Record that two catalogue languages are mutually intelligible (holds both ways); 409 if already linked',
    description:
      'Links change matching in every country: a roster admin may link only two languages spoken in her country (404 otherwise); a platform admin any two. Audited.',
  })
  @ApiCreatedResponse({ type: LanguageLinkView })
  async addLink(@Body() body: CreateLinkDto, @CurrentUser() actor: Principal): Promise<LanguageLinkView> {
    return linkView(await this.languages.addLink(body, actor));
  }

  @Delete('links/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({
    summary: 'Remove a mutual-intelligibility link (a roster admin: between languages spoken in her country only, 404 otherwise); audited',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  async removeLink(@Param('id', uuidParam('id')) id: string, @CurrentUser() actor: Principal): Promise<void> {
    await this.languages.removeLink(id, actor);
  }

  @Get(':id/links')
  @ApiBearerAuth()
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'The mutual-intelligibility links of a language, either way round' })
  @ApiOkResponse({ type: LanguageLinkView, isArray: true })
  async listLinks(@Param('id', uuidParam('id')) id: string): Promise<LanguageLinkView[]> {
    return (await this.languages.listLinks(id)).map(linkView);
  }
}
