import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Language } from './entities/language.entity';
import { curatedRows } from './languages-catalogue';

/**
 * Loads the curated catalogue (src/languages/data) at start-up rather than in a migration: a release can add
 * languages by editing the data file alone, and the rows are built with the same code (ISO 639-3 names, search
 * text) as the rows the service writes. INSERT ... ON CONFLICT DO NOTHING makes it idempotent and safe when
 * several nodes start at once, and leaves untouched any row an administrator has since edited.
 */
@Injectable()
export class LanguagesCatalogueLoader implements OnModuleInit {
  private readonly logger = new Logger(LanguagesCatalogueLoader.name);

  constructor(@InjectRepository(Language) private readonly languages: Repository<Language>) {}

  async onModuleInit(): Promise<void> {
    const rows = curatedRows();
    const result = await this.languages
      .createQueryBuilder()
      .insert()
      .into(Language)
      .values(rows)
      .orIgnore()
      .updateEntity(false)
      .returning('id')
      .execute();
    const added = (result.raw as unknown[]).length;
    if (added) this.logger.log(`language catalogue: ${added} curated languages added`);
  }
}
