import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, Repository } from 'typeorm';
import { AuditOutbox } from '../audit/audit-outbox';
import type { Principal } from '../auth/principal';
import { SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX } from './dto/search-languages.dto';
import { Language } from './entities/language.entity';
import { LanguageLink } from './entities/language-link.entity';
import { isoLanguage } from './iso-639-3';
import { isoRow, languageRow, type LanguageRow } from './languages-catalogue';
import { parseLanguageKey, searchTokens, type LanguageKey } from './language-text';
import { badField, isUuid } from '../common/validation';
import { PG, pgCode } from '../database/pg-errors';

export interface LanguageSearch {
  q?: string;
  country?: string;
  limit?: number;
}

export interface NewVariant {
  iso6393: string;
  variant: string;
  name: string;
  autonym?: string | null;
  countries: string[];
}

export interface NewLink {
  fromLanguageId: string;
  toLanguageId: string;
  source: string;
}

/** A link seen from one of its two languages: `other` is the language at the far end. */
export type LinkFromLanguage = LanguageLink & { other: Language };

/** Escapes LIKE wildcards; normalised search words hold none today, but the query must not depend on that. */
function likeLiteral(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const keyOf = (iso6393: string, variant: string | null) => (variant ? `${iso6393}/${variant}` : iso6393);

/** Who may add or remove a link at this language: a platform admin, or a roster admin of a country where it is spoken. */
const mayLink = (actor: Principal, language: Pick<Language, 'countries'>) =>
  actor.role === 'platform_admin' || (actor.role === 'roster_admin' && !!actor.country && language.countries.includes(actor.country));

/** The language catalogue: search, resolution of roster codes, administrators' variants and intelligibility links. */
@Injectable()
export class LanguagesService {
  constructor(
    @InjectRepository(Language) private readonly languages: Repository<Language>,
    @InjectRepository(LanguageLink) private readonly links: Repository<LanguageLink>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditOutbox,
  ) {}

  /**
   * Accent-, case- and apostrophe-insensitive search over code, variant, name, autonym and other known names
   * (ISO 639-1 and 639-2 codes too) of the whole catalogue, ISO 639-3 included; every word of `q` must match.
   * Exact code matches come first, then curated rows (Puente's own: the RCM's languages and administrators'
   * variants), then matches at the start of a word. Without `q` it lists the curated rows only: the rest of
   * ISO 639-3 (some 7,000 languages) is for searching, not browsing.
   */
  async search({ q, country, limit }: LanguageSearch): Promise<Language[]> {
    const words = searchTokens(q ?? '');
    const qb = this.languages.createQueryBuilder('l');
    words.forEach((w, i) => qb.andWhere(`l.search_text LIKE :w${i}`, { [`w${i}`]: `%${likeLiteral(w)}%` }));
    if (country) qb.andWhere('l.countries @> CAST(ARRAY[:country] AS varchar[])', { country });
    if (words.length) {
      qb.setParameters({ code: words[0], wordStart: `% ${likeLiteral(words[0])}%` })
        .addOrderBy('CASE WHEN l.iso6393 = :code THEN 0 ELSE 1 END', 'ASC')
        .addOrderBy('l.curated', 'DESC')
        .addOrderBy(`CASE WHEN (' ' || l.search_text) LIKE :wordStart THEN 0 ELSE 1 END`, 'ASC');
    } else {
      qb.andWhere('l.curated');
    }
    return qb
      .addOrderBy('l.name', 'ASC')
      .addOrderBy('l.variant', 'ASC', 'NULLS FIRST')
      .limit(Math.min(Math.max(limit ?? SEARCH_LIMIT_DEFAULT, 1), SEARCH_LIMIT_MAX))
      .getMany();
  }

  async findById(id: string): Promise<Language | null> {
    if (!isUuid(id)) return null;
    return this.languages.findOne({ where: { id } });
  }

  /**
   * Resolves roster keys (`iso6393` or `iso6393/variant`, any case) to catalogue rows, keyed exactly as given.
   * A plain ISO 639-3 code that is not yet in the catalogue is added from ISO 639-3 (reference name, no autonym,
   * no countries); an unknown code, a variant no administrator added, or a malformed key maps to null.
   * One query when every code is known; two (rarely three, if another node adds the same code meanwhile) otherwise.
   */
  async resolveMany(keys: string[]): Promise<Map<string, Language | null>> {
    const parsed = new Map<string, LanguageKey | null>(keys.map((k) => [k, parseLanguageKey(k)]));
    const codes = [...new Set([...parsed.values()].flatMap((p) => (p ? [p.iso6393] : [])))];
    const found = new Map<string, Language>();
    const remember = (rows: Language[]) => rows.forEach((l) => found.set(keyOf(l.iso6393, l.variant), l));
    if (codes.length) {
      remember(await this.languages.createQueryBuilder('l').where('l.iso6393 = ANY(:codes)', { codes }).getMany());
    }

    const missing = [
      ...new Set(
        [...parsed.values()].flatMap((p) => (p && !p.variant && !found.has(p.iso6393) && isoLanguage(p.iso6393) ? [p.iso6393] : [])),
      ),
    ];
    if (missing.length) {
      remember(await this.insertFromIso(missing));
      const raced = missing.filter((c) => !found.has(c));
      if (raced.length) remember(await this.languages.find({ where: { iso6393: In(raced), variant: IsNull() } }));
    }

    const resolve = (p: LanguageKey | null | undefined) => (p ? (found.get(keyOf(p.iso6393, p.variant)) ?? null) : null);
    return new Map(keys.map((k) => [k, resolve(parsed.get(k))]));
  }

  /** Adds ISO 639-3 codes as catalogue rows; returns the rows this call inserted (not those another node did). */
  private async insertFromIso(codes: string[]): Promise<Language[]> {
    const rows = codes.map(isoRow);
    const result = await this.languages
      .createQueryBuilder()
      .insert()
      .into(Language)
      .values(rows)
      .orIgnore()
      .updateEntity(false)
      .returning(['id', 'iso6393', 'variant', 'name', 'autonym', 'countries', 'isRelay', 'curated', 'createdAt']) // property names; rows come back with column names
      .execute();
    return (result.raw as Record<string, unknown>[]).map((r) =>
      this.languages.create({
        id: r.id as string,
        iso6393: r.iso6393 as string,
        variant: (r.variant as string | null) ?? null,
        name: r.name as string,
        autonym: (r.autonym as string | null) ?? null,
        countries: r.countries as string[],
        isRelay: r.is_relay as boolean,
        curated: r.curated as boolean,
        createdAt: r.created_at as Date,
      }),
    );
  }

  /**
   * `POST /languages`: a variant of an ISO 639-3 language. A roster admin may only list her own country: any
   * other is outside her country, so 404 (API.md), as for another country's roster.
   */
  async addVariant(dto: NewVariant, actor: Principal): Promise<Language> {
    const outside = actor.role === 'roster_admin' ? dto.countries.find((c) => c !== actor.country) : undefined;
    if (outside) throw new NotFoundException(`no country ${outside} here`);
    if (!isoLanguage(dto.iso6393)) throw badField('iso6393', 'iso6393 must be an ISO 639-3 language code');
    const row: LanguageRow = languageRow({ ...dto, autonym: dto.autonym ?? null, curated: true });
    const added = await this.db.transaction(async (m) => {
      let language: Language;
      try {
        language = await m.save(m.create(Language, row));
      } catch (e) {
        if (pgCode(e) === PG.UNIQUE_VIOLATION)
          throw new ConflictException(`${keyOf(row.iso6393, row.variant)} is already in the catalogue`);
        throw e;
      }
      await this.audit.add(m, 'language.variant_added', {
        actorId: actor.sub,
        actorRole: actor.role,
        country: actor.country ?? null,
        subjectId: language.id,
        data: { iso6393: row.iso6393, variant: row.variant },
      });
      return language;
    });
    await this.audit.chained();
    return added;
  }

  /**
   * `POST /languages/links`: records that two catalogue rows are mutually intelligible. Links change matching in
   * every country: a platform admin may add any, a roster admin only between two languages spoken in her country
   * (any other is, to her, not there: 404).
   */
  async addLink(dto: NewLink, actor: Principal): Promise<LanguageLink> {
    const [from, to] = [dto.fromLanguageId.toLowerCase(), dto.toLanguageId.toLowerCase()];
    if (from === to) throw badField('toLanguageId', 'toLanguageId must differ from fromLanguageId');
    const known = await this.languages.find({ where: { id: In([from, to]) }, select: { id: true, countries: true } });
    for (const [field, id] of [
      ['fromLanguageId', from],
      ['toLanguageId', to],
    ] as const) {
      const language = known.find((l) => l.id === id);
      if (!language) throw new NotFoundException(`${field} ${id} is not in the catalogue`);
      if (!mayLink(actor, language)) throw new NotFoundException(`${field} ${id} is not spoken in your country`);
    }
    const added = await this.db.transaction(async (m) => {
      let link: LanguageLink;
      try {
        link = await m.save(m.create(LanguageLink, { fromLanguageId: from, toLanguageId: to, source: dto.source, createdBy: actor.sub }));
      } catch (e) {
        if (pgCode(e) === PG.UNIQUE_VIOLATION) throw new ConflictException('these two languages are already linked');
        if (pgCode(e) === PG.FOREIGN_KEY_VIOLATION) throw new NotFoundException('a linked language is no longer in the catalogue');
        throw e;
      }
      await this.audit.add(m, 'language.link_added', {
        actorId: actor.sub,
        actorRole: actor.role,
        country: actor.country ?? null,
        subjectId: link.id,
        data: { fromLanguageId: link.fromLanguageId, toLanguageId: link.toLanguageId },
      });
      return link;
    });
    await this.audit.chained();
    return added;
  }

  /** `DELETE /languages/links/{id}`, under the same rule as adding one; audited. 404 for a link that is not hers to remove. */
  async removeLink(id: string, actor: Principal): Promise<void> {
    await this.db.transaction(async (m) => {
      const [link] = await m.query(`SELECT id, from_language_id, to_language_id FROM language_links WHERE id = $1 FOR UPDATE`, [id]);
      const ends = link
        ? await m.find(Language, { where: { id: In([link.from_language_id, link.to_language_id]) }, select: { id: true, countries: true } })
        : [];
      if (!link || !ends.every((l) => mayLink(actor, l))) throw new NotFoundException(`no language link ${id} here`);
      await m.query(`DELETE FROM language_links WHERE id = $1`, [id]);
      await this.audit.add(m, 'language.link_removed', {
        actorId: actor.sub,
        actorRole: actor.role,
        country: actor.country ?? null,
        subjectId: id,
        data: { fromLanguageId: link.from_language_id, toLanguageId: link.to_language_id },
      });
    });
    await this.audit.chained();
  }

  /** The links of a language, either way round, each with the language at the other end. 404 if it is unknown. */
  async listLinks(id: string): Promise<LinkFromLanguage[]> {
    const languageId = id.toLowerCase();
    if (!(await this.findById(languageId))) throw new NotFoundException(`language ${languageId} is not in the catalogue`);
    const links = await this.links.find({
      where: [{ fromLanguageId: languageId }, { toLanguageId: languageId }],
      order: { createdAt: 'ASC' },
    });
    const otherIds = links.map((l) => (l.fromLanguageId === languageId ? l.toLanguageId : l.fromLanguageId));
    const others = new Map((otherIds.length ? await this.languages.find({ where: { id: In(otherIds) } }) : []).map((l) => [l.id, l]));
    return links.flatMap((l) => {
      const other = others.get(l.fromLanguageId === languageId ? l.toLanguageId : l.fromLanguageId);
      return other ? [Object.assign(l, { other })] : [];
    });
  }
}
