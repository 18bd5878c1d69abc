import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The roster of `ownerCountry` may serve requests from `borrowerCountry`. */
@Entity('roster_sharing')
export class RosterSharing {
  @PrimaryColumn({ name: 'owner_country', type: 'char', length: 2 })
  ownerCountry: string;

  @PrimaryColumn({ name: 'borrower_country', type: 'char', length: 2 })
  borrowerCountry: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
