import { ConflictException, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditModule } from '../audit/audit.module';
import type { Principal } from '../auth/principal';
import { ConfigModule } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { DatabaseModule } from '../database/database.module';
import type { CountryCode } from '../common/countries';
import { InstitutionsModule } from '../institutions/institutions.module';
import { DirectoryModule } from '../directory/directory.module';
import { DirectoryService } from '../directory/directory.service';
import { InstitutionsService } from '../institutions/institutions.service';
import { LanguagesModule } from '../languages/languages.module';
import { LanguagesService } from '../languages/languages.service';
import { RostersModule } from '../rosters/rosters.module';
import { RostersService } from '../rosters/rosters.service';
import { UsersModule } from '../users/users.module';
import { UsersService } from '../users/users.service';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_ROSTERS, DEMO_SERVICES, DEMO_SHARING, DEMO_VARIANT } from './demo-data';

// The demo loader acts as the platform itself.
const SYSTEM: Principal = { sub: '00000000-0000-4000-8000-000000000000', role: 'platform_admin' };

const ignoreConflict = (e: unknown) => {
  if (!(e instanceof ConflictException)) throw e;
};

/**
 * Loads the demo roster and accounts through the real services. Running it again changes no data: rows already
 * there are left as they are (the audit log records the second run's roster imports, which found nothing to do).
 */
export async function loadDemo(config: AppConfig): Promise<void> {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule,
      AuditModule,
      LanguagesModule,
      RostersModule,
      InstitutionsModule,
      UsersModule,
      DirectoryModule,
    ],
  })
  class DemoModule {}
  const ctx = await NestFactory.createApplicationContext(DemoModule, { logger: ['error'] });
  try {
    await ctx
      .get(LanguagesService)
      .addVariant(DEMO_VARIANT as never, SYSTEM)
      .catch(ignoreConflict);
    const rosters = ctx.get(RostersService);
    for (const [country, csv] of Object.entries(DEMO_ROSTERS)) {
      const result = await rosters.importRoster(country, csv, null);
      if (result.rejected.length) throw new Error(`demo roster ${country}: ${JSON.stringify(result.rejected)}`);
    }
    // Set only when different: setting the same list again would rewrite the rows and add an audit event.
    for (const [country, borrowers] of Object.entries(DEMO_SHARING)) {
      const current = (await rosters.getSharing(country)).countries;
      if ([...current].sort().join() !== [...borrowers].sort().join()) await rosters.setSharing(country, borrowers, null);
    }
    const db = ctx.get(DataSource);
    const users = ctx.get(UsersService);
    const institutions = ctx.get(InstitutionsService);
    for (const a of DEMO_ACCOUNTS) {
      let interpreterId: string | undefined;
      const institutionId = a.institution ? (await institutions.ensure(a.country as CountryCode, a.institution, 'court')).id : undefined;
      if (a.externalId) {
        [{ id: interpreterId }] = await db.query(`SELECT id FROM interpreters WHERE country = $1 AND external_id = $2`, [
          a.country,
          a.externalId,
        ]);
      }
      await users
        .create({ role: a.role, email: a.email, password: DEMO_PASSWORD, country: a.country, institutionId, interpreterId }, null)
        .catch(ignoreConflict);
    }
    const directory = ctx.get(DirectoryService);
    const listed = new Set((await directory.search('GT')).map((v) => v.name));
    for (const service of DEMO_SERVICES) if (!listed.has(service.name)) await directory.create('GT', service, SYSTEM);
    console.log(
      `demo: ${Object.keys(DEMO_ROSTERS).length} rosters and ${DEMO_ACCOUNTS.length} accounts loaded (password ${DEMO_PASSWORD})`,
    );
  } finally {
    await ctx.close();
  }
}
