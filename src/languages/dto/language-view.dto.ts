import { ApiProperty } from '@nestjs/swagger';
import { familyOf, FAMILY_NAMES, type LanguageFamily } from '../data/language-families';
import type { Language } from '../entities/language.entity';

/** A catalogue row as the API shows it (API.md `GET /languages`). */
export class LanguageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'quc' }) iso6393: string;
  @ApiProperty({ nullable: true, type: String, example: null }) variant: string | null;
  @ApiProperty({ example: "K'iche'" }) name: string;
  @ApiProperty({ nullable: true, type: String, example: "K'iche'" }) autonym: string | null;
  @ApiProperty({ isArray: true, example: ['GT', 'MX'] }) countries: string[];
  @ApiProperty({ description: 'A language interpreters relay into (Spanish, English, French, Haitian Creole)' }) isRelay: boolean;
  @ApiProperty({
    description:
      "Part of Puente's catalogue of the RCM's languages (curated, or a variant an administrator added); false for the rest of ISO 639-3, " +
      'which a search finds after these',
  })
  curated: boolean;
  @ApiProperty({
    enum: FAMILY_NAMES,
    nullable: true,
    example: 'mayan',
    description: 'Its language family (Glottolog; INALI for Mexico), for a picture per family; null outside the curated catalogue',
  })
  family: LanguageFamily | null;

  static of(l: Language): LanguageView {
    return {
      id: l.id,
      iso6393: l.iso6393,
      variant: l.variant,
      name: l.name,
      autonym: l.autonym,
      countries: l.countries,
      isRelay: l.isRelay,
      curated: l.curated,
      family: familyOf(l.iso6393),
    };
  }
}

export class LanguageLinkView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) fromLanguageId: string;
  @ApiProperty({ format: 'uuid' }) toLanguageId: string;
  @ApiProperty({ example: 'ALMG' }) source: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ type: LanguageView, description: 'The language at the other end of the link (for GET .../links)', required: false })
  other?: LanguageView;
}
