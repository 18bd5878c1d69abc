import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { MailModule } from '../../mail/mail.module';
import { CertificationController } from './certification.controller';
import { CertificationProcessor, CERTIFICATES_QUEUE } from './certification.processor';
import { CertificationService } from './certification.service';

/**
 * Certification rules per country, the certificates to renew and their monthly email. Apart from RostersModule,
 * which command-line contexts (the demo loader, create-admin) load without Bull or mail.
 */
@Module({
  imports: [MailModule, BullModule.registerQueue({ name: CERTIFICATES_QUEUE })],
  controllers: [CertificationController],
  providers: [CertificationService, CertificationProcessor],
})
export class CertificationModule {}
