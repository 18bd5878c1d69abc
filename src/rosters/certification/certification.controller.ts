import { Body, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { CountryPipe } from '../country.pipe';
import { CertificationRulesDto, ExpiringCertificateDto, SetCertificationRulesDto } from '../dto/certification.dto';
import { assertRosterAccess } from '../roster-access';
import { CertificationService, EXPIRING_WITHIN_DAYS } from './certification.service';
import { RosterRoutes } from '../roster-routes.decorator';

@RosterRoutes()
export class CertificationController {
  constructor(private readonly certification: CertificationService) {}

  @Get('certification-rules')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({ summary: 'Which matters, and whether hearings, need an interpreter with a valid certification in this country' })
  @ApiOkResponse({ type: CertificationRulesDto })
  rules(@Param('country', CountryPipe) country: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, true);
    return this.certification.rules(country);
  }

  @Put('certification-rules')
  @Roles('roster_admin')
  @ApiOperation({
    summary: 'Set which matters, and whether hearings, need a valid certification in this country',
    description: 'Replaces the rules (default: the three legal matters and every hearing). Audited.',
  })
  @ApiOkResponse({ type: CertificationRulesDto })
  setRules(@Param('country', CountryPipe) country: string, @Body() body: SetCertificationRulesDto, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, false);
    return this.certification.setRules(country, body, actor);
  }

  @Get('certificates/expiring')
  @Roles('roster_admin', 'platform_admin')
  @ApiOperation({
    summary: `The roster's certificates that have expired or end within ${EXPIRING_WITHIN_DAYS} days, soonest first`,
    description: 'Also emailed to the roster admins on the first of every month (when SMTP is configured).',
  })
  @ApiOkResponse({ type: [ExpiringCertificateDto] })
  expiring(@Param('country', CountryPipe) country: string, @CurrentUser() actor: Principal) {
    assertRosterAccess(actor, country, true);
    return this.certification.expiring(country);
  }
}
