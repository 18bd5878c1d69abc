import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { OPEN_ROSTER } from './matching.repository';

/** Why a caller who gives no country can be served (or null when she never can). */
export type ReachWithoutCountry = { via: 'home'; country: string } | { via: 'open'; countries: string[] } | null;

/**
 * A caller may skip "where are you now". She is then served from HOME_COUNTRY's roster, or, with no home
 * roster, only from rosters shared with every member state (matching.repository.ts). When neither exists she
 * waits in line until the wait limit and is never offered to anyone: an operator must hear that at start-up.
 */
@Injectable()
export class CallerReach implements OnApplicationBootstrap {
  private readonly logger = new Logger('Matching');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async withoutCountry(): Promise<ReachWithoutCountry> {
    if (this.config.HOME_COUNTRY) return { via: 'home', country: this.config.HOME_COUNTRY };
    const open: { owner: string }[] = await this.db.query(
      `SELECT owner_country AS owner FROM roster_sharing GROUP BY owner_country HAVING count(*) = $1 ORDER BY 1`,
      [OPEN_ROSTER],
    );
    return open.length ? { via: 'open', countries: open.map((r) => r.owner) } : null;
  }

  async onApplicationBootstrap() {
    // A failed look-up must not stop the node: the warning is advice, matching works without it.
    const reach = await this.withoutCountry().catch(() => undefined);
    if (reach === null) {
      this.logger.warn(
        'a caller who does not say which country she is in can never be matched: HOME_COUNTRY is not set and no roster is shared with every member state (set HOME_COUNTRY, or share a roster with all countries)',
      );
    }
  }
}
