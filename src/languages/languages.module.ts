import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Language } from './entities/language.entity';
import { LanguageLink } from './entities/language-link.entity';
import { LanguageOrderController } from './language-order.controller';
import { LanguageOrderService } from './language-order.service';
import { LanguagesCatalogueLoader } from './languages-catalogue.loader';
import { LanguagesController } from './languages.controller';
import { LanguagesService } from './languages.service';

@Module({
  imports: [TypeOrmModule.forFeature([Language, LanguageLink])],
  controllers: [LanguagesController, LanguageOrderController],
  providers: [LanguagesService, LanguagesCatalogueLoader, LanguageOrderService],
  exports: [LanguagesService],
})
export class LanguagesModule {}
